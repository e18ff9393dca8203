package io.kif4j.transformer.memory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's memory: Linux's /proc/meminfo {@code MemTotal} and {@code MemAvailable} (what can be allocated
 * without swapping), elsewhere the JVM's view of total and free physical memory.
 */
public record MachineMemory(long totalBytes, long availableBytes) {

    public static MachineMemory read() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                long total = -1;
                long available = -1;
                for (String line : Files.readAllLines(meminfo)) {
                    if (line.startsWith("MemTotal:")) {
                        total = kilobytes(line);
                    } else if (line.startsWith("MemAvailable:")) {
                        available = kilobytes(line);
                    }
                }
                if (total > 0 && available >= 0) {
                    return new MachineMemory(total, available);
                }
            } catch (IOException | NumberFormatException e) {
                // fall through to the JVM's view
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new MachineMemory(os.getTotalMemorySize(), os.getFreeMemorySize());
    }

    /** "MemAvailable:   19032152 kB" → bytes. */
    private static long kilobytes(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }
}

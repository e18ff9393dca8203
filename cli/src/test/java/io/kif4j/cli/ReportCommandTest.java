package io.kif4j.cli;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kif report DIR}, run on the command class itself (registering it in {@link Kif} is the owner's step). */
class ReportCommandTest {

    @TempDir
    Path tmp;

    @Test
    void rebuildsTheReportAndPrintsItsPath() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("metrics.json"), """
                {"method": "kiflora", "seed": 42, "tasks": ["a", "b"], "matrix": [[90, 10], [80, 85]]}
                """);
        Files.createDirectories(run.resolve("tasks/01-a"));
        Files.writeString(run.resolve("tasks/01-a/train_loss.csv"), "step,loss\n0,2.0\n1,1.5\n");

        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new ReportCommand());
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute(run.toString());
        assertEquals(0, code);
        Path report = run.resolve("report.html");
        assertEquals(report.toString(), out.toString().strip());
        String html = Files.readString(report);
        assertTrue(html.contains("kiflora") && html.contains("<td class=\"n\">82.50</td>"), "AP = (80 + 85) / 2");
    }

    @Test
    void aFolderThatIsNoRunIsAnInputError() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CommandLine cl = new CommandLine(new ReportCommand());
        cl.parseArgs(empty.toString());
        ReportCommand cmd = cl.getCommand();
        KifInputException e = assertThrows(KifInputException.class, cmd::call); // Kif prints it as one line, exit 2
        assertTrue(e.getMessage().contains("not a run folder"), e.getMessage());
    }

    @Test
    void dirIsRequired() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ReportCommand());
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute());
        assertTrue(err.toString().contains("DIR"), err.toString());
    }
}

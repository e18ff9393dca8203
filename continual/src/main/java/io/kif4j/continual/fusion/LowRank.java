package io.kif4j.continual.fusion;

/**
 * Rank-r refactorisation of a thin product ΔW = L·R (L [m, k], R [k, n], k small) by a truncated SVD, without
 * forming ΔW: thin Householder QRs L = Q₁R₁ and Rᵀ = Q₂R₂, a one-sided Jacobi SVD of the small core R₁R₂ᵀ = UΣVᵀ,
 * then ΔW = (Q₁U) Σ (Q₂V)ᵀ. The best rank-r approximation (Eckart–Young) is returned as B = Q₁U_r√Σ_r and
 * A = √Σ_r (Q₂V_r)ᵀ. Everything is computed in double; matrices are row-major {@code double[]}.
 */
public final class LowRank {

    /**
     * Singular values at most this fraction of the largest count as zero (float32 noise of the inputs): such a
     * component gets a zero column in B and the unit right singular vector as its row of A. B·A is unchanged up to
     * that noise, and the pair stays trainable like a freshly initialised LoRA pair (B = 0, A ≠ 0) instead of
     * being dead (both 0, both gradients 0).
     */
    static final double ZERO_SINGULAR_VALUE = 1e-6;

    private LowRank() {
    }

    /**
     * @param b              [m, rank], row-major
     * @param a              [rank, n], row-major
     * @param singularValues all singular values of ΔW, descending (at most min(m, n, k) of them)
     * @param relativeError  ‖ΔW − B·A‖_F / ‖ΔW‖_F (0 when ΔW = 0)
     */
    public record Factors(double[] b, double[] a, int m, int n, int rank, double[] singularValues,
                          double relativeError) {
    }

    /** The rank-{@code rank} truncated SVD of L·R with L [m, k] and R [k, n], both row-major. */
    public static Factors truncate(double[] l, double[] r, int m, int k, int n, int rank) {
        if (l.length != (long) m * k || r.length != (long) k * n || rank < 1) {
            throw new IllegalArgumentException("bad sizes: L " + l.length + " for " + m + "x" + k + ", R " + r.length
                    + " for " + k + "x" + n + ", rank " + rank);
        }
        Qr left = qr(l, m, k);                       // L = Q1 R1, Q1 [m, k1], R1 [k1, k]
        Qr right = qr(transpose(r, k, n), n, k);     // Rᵀ = Q2 R2, Q2 [n, k2], R2 [k2, k]
        int k1 = left.cols;
        int k2 = right.cols;
        double[] core = new double[k1 * k2];         // R1 · R2ᵀ
        for (int i = 0; i < k1; i++) {
            for (int j = 0; j < k2; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += left.r[i * k + t] * right.r[j * k + t];
                }
                core[i * k2 + j] = s;
            }
        }
        Svd svd = svd(core, k1, k2);                 // core = U diag(s) Vᵀ, U [k1, ns], V [k2, ns]
        int ns = svd.s.length;
        double[] leftVectors = multiply(left.q, svd.u, m, k1, ns);   // [m, ns]
        double[] rightVectors = multiply(right.q, svd.v, n, k2, ns); // [n, ns]
        double tol = ns > 0 ? ZERO_SINGULAR_VALUE * svd.s[0] : 0;
        double total = 0;
        double dropped = 0;
        double[] b = new double[m * rank];
        double[] a = new double[rank * n];
        for (int j = 0; j < ns; j++) {
            double s = svd.s[j];
            total += s * s;
            boolean kept = j < rank && s > tol && s > 0;
            if (!kept) {
                dropped += s * s;
            }
            if (j >= rank) {
                continue;
            }
            double root = kept ? Math.sqrt(s) : 0;
            for (int i = 0; i < m; i++) {
                b[i * rank + j] = leftVectors[i * ns + j] * root;
            }
            double rowScale = kept ? root : 1; // a zero component keeps a unit-norm A row (see ZERO_SINGULAR_VALUE)
            for (int i = 0; i < n; i++) {
                a[j * n + i] = rightVectors[i * ns + j] * rowScale;
            }
        }
        double err = total > 0 ? Math.sqrt(dropped / total) : 0;
        return new Factors(b, a, m, n, rank, svd.s, err);
    }

    /** A thin QR: q [rows, cols] with orthonormal columns, r [cols, k] upper triangular. */
    record Qr(double[] q, double[] r, int rows, int cols) {
    }

    /** Householder QR of x [m, k]: q [m, min(m,k)], r [min(m,k), k]; zero columns are fine (H = I there). */
    static Qr qr(double[] x, int m, int k) {
        double[] a = x.clone();
        int kk = Math.min(m, k);
        double[][] vs = new double[kk][];
        double[] vn2 = new double[kk];
        for (int j = 0; j < kk; j++) {
            double norm = 0;
            for (int i = j; i < m; i++) {
                norm += a[i * k + j] * a[i * k + j];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                continue;
            }
            double alpha = a[j * k + j] >= 0 ? -norm : norm; // the sign that avoids cancellation in v[0]
            double[] v = new double[m - j];
            for (int i = j; i < m; i++) {
                v[i - j] = a[i * k + j];
            }
            v[0] -= alpha;
            double s2 = 0;
            for (double e : v) {
                s2 += e * e;
            }
            if (s2 == 0) {
                continue;
            }
            vs[j] = v;
            vn2[j] = s2;
            for (int c = j; c < k; c++) {
                double dot = 0;
                for (int i = j; i < m; i++) {
                    dot += v[i - j] * a[i * k + c];
                }
                double f = 2 * dot / s2;
                for (int i = j; i < m; i++) {
                    a[i * k + c] -= f * v[i - j];
                }
            }
        }
        double[] r = new double[kk * k];
        for (int i = 0; i < kk; i++) {
            for (int c = i; c < k; c++) {
                r[i * k + c] = a[i * k + c];
            }
        }
        double[] q = new double[m * kk]; // H_0 ⋯ H_{kk−1} applied to the first kk columns of I
        for (int i = 0; i < kk; i++) {
            q[i * kk + i] = 1;
        }
        for (int j = kk - 1; j >= 0; j--) {
            double[] v = vs[j];
            if (v == null) {
                continue;
            }
            for (int c = 0; c < kk; c++) {
                double dot = 0;
                for (int i = j; i < m; i++) {
                    dot += v[i - j] * q[i * kk + c];
                }
                double f = 2 * dot / vn2[j];
                if (f != 0) {
                    for (int i = j; i < m; i++) {
                        q[i * kk + c] -= f * v[i - j];
                    }
                }
            }
        }
        return new Qr(q, r, m, kk);
    }

    /** x = U diag(s) Vᵀ with s descending; u [rows, ns], v [cols, ns], ns = min(rows, cols). */
    record Svd(double[] u, double[] s, double[] v) {
    }

    /** SVD of a small dense matrix [rows, cols] by one-sided (Hestenes) Jacobi rotations. */
    static Svd svd(double[] x, int rows, int cols) {
        if (rows < cols) {
            Svd t = svd(transpose(x, rows, cols), cols, rows);
            return new Svd(t.v, t.s, t.u);
        }
        int m = rows;
        int n = cols;
        double[] a = x.clone();
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) {
            v[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < 80; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    for (int i = 0; i < m; i++) {
                        double ap = a[i * n + p];
                        double aq = a[i * n + q];
                        alpha += ap * ap;
                        beta += aq * aq;
                        gamma += ap * aq;
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    rotate(a, m, n, p, q, c, s);
                    rotate(v, n, n, p, q, c, s);
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] sv = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += a[i * n + j] * a[i * n + j];
            }
            sv[j] = Math.sqrt(s);
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (i, j) -> Double.compare(sv[j], sv[i]));
        double[] u = new double[m * n];
        double[] vs = new double[n * n];
        double[] s = new double[n];
        for (int jj = 0; jj < n; jj++) {
            int j = order[jj];
            s[jj] = sv[j];
            for (int i = 0; i < m; i++) {
                u[i * n + jj] = sv[j] > 0 ? a[i * n + j] / sv[j] : 0;
            }
            for (int i = 0; i < n; i++) {
                vs[i * n + jj] = v[i * n + j];
            }
        }
        return new Svd(u, s, vs);
    }

    /** Columns p, q of x [rows, n] ← (c·x_p − s·x_q, s·x_p + c·x_q). */
    private static void rotate(double[] x, int rows, int n, int p, int q, double c, double s) {
        for (int i = 0; i < rows; i++) {
            double xp = x[i * n + p];
            double xq = x[i * n + q];
            x[i * n + p] = c * xp - s * xq;
            x[i * n + q] = s * xp + c * xq;
        }
    }

    static double[] transpose(double[] x, int rows, int cols) {
        double[] t = new double[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        return t;
    }

    /** x [rows, inner] · y [inner, cols]. */
    static double[] multiply(double[] x, double[] y, int rows, int inner, int cols) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < inner; t++) {
                double xv = x[i * inner + t];
                if (xv == 0) {
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    out[i * cols + j] += xv * y[t * cols + j];
                }
            }
        }
        return out;
    }
}

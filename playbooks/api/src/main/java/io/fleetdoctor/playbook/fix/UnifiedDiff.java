package io.fleetdoctor.playbook.fix;

import java.util.ArrayList;
import java.util.List;

/** A small line diff (LCS) rendered in unified style with 3 lines of context. */
public final class UnifiedDiff {
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    public static String diff(String fromName, String toName, String before, String after) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        int n = a.length;
        int m = b.length;
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        // ops: ' ' keep, '-' delete, '+' insert; with line numbers for hunk headers
        List<char[]> ops = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        List<int[]> pos = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[i].equals(b[j])) {
                ops.add(new char[]{' '});
                lines.add(a[i]);
                pos.add(new int[]{i, j});
                i++;
                j++;
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                // removed lines come before the added ones that replace them
                ops.add(new char[]{'-'});
                lines.add(a[i]);
                pos.add(new int[]{i, j});
                i++;
            } else {
                ops.add(new char[]{'+'});
                lines.add(b[j]);
                pos.add(new int[]{i, j});
                j++;
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(fromName).append('\n').append("+++ ").append(toName).append('\n');
        int k = 0;
        boolean any = false;
        while (k < ops.size()) {
            if (ops.get(k)[0] == ' ') {
                k++;
                continue;
            }
            any = true;
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            // extend the hunk while changes are within 2*CONTEXT of each other
            int last = k;
            for (int x = k; x < ops.size(); x++) {
                if (ops.get(x)[0] != ' ') {
                    last = x;
                } else if (x - last > 2 * CONTEXT) {
                    break;
                }
            }
            end = Math.min(ops.size(), last + CONTEXT + 1);
            int oldStart = pos.get(start)[0] + 1;
            int newStart = pos.get(start)[1] + 1;
            int oldLen = 0;
            int newLen = 0;
            for (int x = start; x < end; x++) {
                char op = ops.get(x)[0];
                if (op != '+') {
                    oldLen++;
                }
                if (op != '-') {
                    newLen++;
                }
            }
            out.append("@@ -").append(oldStart).append(',').append(oldLen)
                    .append(" +").append(newStart).append(',').append(newLen).append(" @@\n");
            for (int x = start; x < end; x++) {
                out.append(ops.get(x)[0]).append(lines.get(x)).append('\n');
            }
            k = end;
        }
        if (!any) {
            out.append("(no change)\n");
        }
        return out.toString();
    }
}

package io.fleetdoctor.collector.cluster;

import io.fleetdoctor.events.ContainerLog;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Cuts a fetched log down to the contract's bounds: at most N lines (the newest), each at most 4 KiB. */
public final class LogTail {
    private LogTail() {
    }

    /**
     * Streams a log, keeping only the newest {@code maxLines} lines, each cut to 4 KiB, and stops after
     * {@code maxChars} characters so a huge or endless log cannot exhaust memory.
     */
    public static List<String> read(java.io.Reader reader, int maxLines, long maxChars) throws java.io.IOException {
        int limit = Math.max(0, Math.min(maxLines, ContainerLog.MAX_LINES));
        java.util.ArrayDeque<String> lines = new java.util.ArrayDeque<>(limit + 1);
        StringBuilder line = new StringBuilder();
        char[] buf = new char[8192];
        long total = 0;
        int n;
        while (total < maxChars && (n = reader.read(buf, 0, (int) Math.min(buf.length, maxChars - total))) > 0) {
            total += n;
            for (int i = 0; i < n; i++) {
                char ch = buf[i];
                if (ch == '\n') {
                    addLine(lines, line, limit);
                } else if (line.length() < ContainerLog.MAX_LINE_BYTES) { // chars >= bytes/4; cut exactly below
                    line.append(ch);
                }
            }
        }
        if (line.length() > 0) {
            addLine(lines, line, limit);
        }
        return new ArrayList<>(lines);
    }

    private static void addLine(java.util.ArrayDeque<String> lines, StringBuilder line, int limit) {
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') {
            line.setLength(len - 1);
        }
        if (limit > 0) {
            lines.addLast(truncate(line.toString(), ContainerLog.MAX_LINE_BYTES));
            if (lines.size() > limit) {
                lines.removeFirst();
            }
        }
        line.setLength(0);
    }

    public static List<String> bound(String raw, int maxLines) {
        return bound(raw, maxLines, false);
    }

    /** At most {@code maxLines} lines of {@code raw}: the oldest when {@code head}, else the newest. */
    public static List<String> bound(String raw, int maxLines, boolean head) {
        int limit = Math.min(maxLines, ContainerLog.MAX_LINES);
        if (raw == null || raw.isEmpty() || limit <= 0) {
            return List.of();
        }
        String[] all = raw.split("\r?\n", -1);
        int end = all.length;
        if (end > 0 && all[end - 1].isEmpty()) {
            end--; // trailing newline
        }
        int start = head ? 0 : Math.max(0, end - limit);
        if (head) {
            end = Math.min(end, limit);
        }
        List<String> out = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            out.add(truncate(all[i], ContainerLog.MAX_LINE_BYTES));
        }
        return out;
    }

    /** The longest prefix whose UTF-8 form fits in {@code maxBytes}, never splitting a character. */
    static String truncate(String line, int maxBytes) {
        if (line.length() * 3 <= maxBytes || line.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return line;
        }
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(maxBytes);
        CharBuffer in = CharBuffer.wrap(line);
        enc.encode(in, out, true);
        return line.substring(0, in.position());
    }
}

package io.fleetdoctor.collector.node;

import io.fleetdoctor.events.ProcessIo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-process disk IO rates: {@code read_bytes} / {@code write_bytes} deltas of {@code <procfs>/<pid>/io}
 * between two samples. The name and the start time come from {@code <pid>/stat}, whose comm field is
 * the same 15-character task name as {@code <pid>/comm} (one read instead of two). Pure apart from
 * reading the given procfs root; not thread-safe (one sampling thread owns it).
 *
 * <p>A process is identified by pid plus its start time (field 22 of {@code <pid>/stat}), so a reused
 * pid starts a new baseline instead of producing a bogus (possibly negative) delta. Processes that
 * appear get a rate from the next sample on; processes that vanish between listing and reading, or
 * whose {@code io} file is not readable (no root / CAP_SYS_PTRACE), are skipped and counted.
 */
public final class ProcessIoSampler {

    /** Counters of the last {@link #sample} call, for logs and metrics. */
    public record Stats(int processes, int vanished, int permissionDenied, int unparsable) {
    }

    /** One sample: null rates until a baseline exists ({@code intervalSeconds} is 0 then). */
    public record Sample(double intervalSeconds, List<ProcessIo.Process> processes, Stats stats) {
        public boolean hasRates() {
            return intervalSeconds > 0;
        }
    }

    private record Key(int pid, long startTime) {
    }

    private record Counters(long readBytes, long writeBytes) {
    }

    private final Path procfs;
    private final Set<String> watchList;
    private final int topN;
    private Map<Key, Counters> previous;
    private long previousNanos;

    public ProcessIoSampler(Path procfs, Set<String> watchList, int topN) {
        this.procfs = procfs;
        this.watchList = Set.copyOf(watchList);
        this.topN = topN;
    }

    /**
     * Reads every process once. The first call only records the baseline and returns no processes.
     *
     * @param nanoTime a monotonic clock reading ({@link System#nanoTime()}) taken at the sample
     */
    public Sample sample(long nanoTime) {
        Map<Key, Counters> current = new HashMap<>(previous == null ? 512 : previous.size() * 2);
        Map<Key, String> names = new HashMap<>();
        int vanished = 0;
        int denied = 0;
        int unparsable = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(procfs)) {
            for (Path p : dir) {
                String fileName = p.getFileName().toString();
                int pid = parsePid(fileName);
                if (pid <= 0) {
                    continue;
                }
                try {
                    // stat carries comm (same 15-char task name as <pid>/comm) and the start time: one read for both
                    String stat = readSmall(p.resolve("stat"));
                    long start = startTime(stat);
                    Counters c = ioCounters(p.resolve("io"));
                    if (c == null) {
                        unparsable++;
                        continue;
                    }
                    String comm = comm(stat);
                    Key key = new Key(pid, start);
                    current.put(key, c);
                    names.put(key, comm);
                } catch (NoSuchFileException e) {
                    vanished++;
                } catch (AccessDeniedException e) {
                    denied++;
                } catch (IOException e) {
                    // ESRCH and friends when the process exits mid-read
                    vanished++;
                } catch (RuntimeException e) {
                    unparsable++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + procfs + ": " + e.getMessage(), e);
        }
        Stats stats = new Stats(current.size(), vanished, denied, unparsable);
        Map<Key, Counters> before = previous;
        long beforeNanos = previousNanos;
        previous = current;
        previousNanos = nanoTime;
        if (before == null || nanoTime <= beforeNanos) {
            return new Sample(0, List.of(), stats);
        }
        double seconds = (nanoTime - beforeNanos) / 1e9;
        List<ProcessIo.Process> rated = new ArrayList<>();
        for (Map.Entry<Key, Counters> e : current.entrySet()) {
            Counters was = before.get(e.getKey());
            if (was == null) {
                continue; // appeared (or pid reused) since the last sample: no baseline yet
            }
            Counters now = e.getValue();
            double r = Math.max(0, now.readBytes - was.readBytes) / seconds;
            double w = Math.max(0, now.writeBytes - was.writeBytes) / seconds;
            rated.add(new ProcessIo.Process(e.getKey().pid, names.get(e.getKey()), round(r), round(w)));
        }
        return new Sample(seconds, select(rated), stats);
    }

    /** Top N by read + write (only those that did IO), plus every watched process, busiest first. */
    List<ProcessIo.Process> select(List<ProcessIo.Process> rated) {
        Comparator<ProcessIo.Process> busiest = Comparator.comparingDouble(ProcessIo.Process::totalBytesPerSec)
                .reversed().thenComparingInt(ProcessIo.Process::pid);
        rated.sort(busiest);
        List<ProcessIo.Process> out = new ArrayList<>();
        for (ProcessIo.Process p : rated) {
            boolean top = out.size() < topN && p.totalBytesPerSec() > 0;
            if (top || watchList.contains(p.name())) {
                out.add(p);
            }
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 10.0) / 10.0;
    }

    static int parsePid(String name) {
        int n = name.length();
        if (n == 0 || n > 10) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Field 22 (starttime) of {@code /proc/<pid>/stat}; the comm field may contain spaces and ')'. */
    static long startTime(String s) {
        int close = s.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("bad stat");
        }
        // after ") " come fields 3.. ; starttime is field 22, i.e. the 20th token after the comm
        int field = 2;
        int i = close + 1;
        int len = s.length();
        while (i < len) {
            while (i < len && s.charAt(i) == ' ') {
                i++;
            }
            int startTok = i;
            while (i < len && s.charAt(i) != ' ' && s.charAt(i) != '\n') {
                i++;
            }
            field++;
            if (field == 22) {
                return Long.parseLong(s, startTok, i, 10);
            }
        }
        throw new IllegalArgumentException("stat has no starttime");
    }

    /** The name between the first '(' and the last ')' of {@code <pid>/stat}. */
    static String comm(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("bad stat");
        }
        return stat.substring(open + 1, close);
    }

    /** read_bytes and write_bytes, or null when the file lacks them. */
    static Counters ioCounters(Path io) throws IOException {
        String s = readSmall(io);
        long read = field(s, "read_bytes:");
        long write = field(s, "write_bytes:");
        if (read < 0 || write < 0) {
            return null;
        }
        return new Counters(read, write);
    }

    private static long field(String s, String name) {
        int at = -1;
        int from = 0;
        while (true) {
            int idx = s.indexOf(name, from);
            if (idx < 0) {
                break;
            }
            if (idx == 0 || s.charAt(idx - 1) == '\n') { // not cancelled_write_bytes
                at = idx;
                break;
            }
            from = idx + 1;
        }
        if (at < 0) {
            return -1;
        }
        int i = at + name.length();
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        return start == i ? -1 : Long.parseLong(s, start, i, 10);
    }

    static String readSmall(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}

package io.fleetdoctor.collector.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The lean node agent's meters, without Micrometer: counters and gauges registered under their Micrometer names
 * ({@code fleetdoctor.collector.node.ticks}) and scraped in the Prometheus text format with the names Micrometer's
 * Prometheus registry gives them (dots to underscores, counters end in {@code _total}), so dashboards and alerts
 * read both agents alike. deploy-check's ObservabilityCheck finds the names through the {@code .counter("...")}
 * and {@code .gauge("...")} calls. Also {@code jvm_memory_used_bytes{area,id}} per memory pool, which the
 * dashboard's heap panel queries for every service.
 */
public final class TextMetrics {
    private final Map<String, LongAdder> counters = new TreeMap<>();
    private final Map<String, LongSupplier> gauges = new TreeMap<>();

    /** The counter of this Micrometer name, created on first use. */
    public synchronized LongAdder counter(String name) {
        return counters.computeIfAbsent(prometheus(name) + "_total", k -> new LongAdder());
    }

    public synchronized void gauge(String name, LongSupplier value) {
        gauges.put(prometheus(name), value);
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public synchronized String scrape() {
        StringBuilder sb = new StringBuilder(2048);
        counters.forEach((name, c) -> sample(sb, name, "counter", c.sum()));
        gauges.forEach((name, g) -> sample(sb, name, "gauge", g.getAsLong()));
        sb.append("# TYPE jvm_memory_used_bytes gauge\n");
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            String area = pool.getType() == MemoryType.HEAP ? "heap" : "nonheap";
            sb.append("jvm_memory_used_bytes{area=\"").append(area).append("\",id=\"")
                    .append(pool.getName().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.1f", (double) pool.getUsage().getUsed())).append('\n');
        }
        return sb.toString();
    }

    private static void sample(StringBuilder sb, String name, String type, long value) {
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append(".0\n");
    }

    /** Micrometer's Prometheus naming of a meter name: {@code a.b.c} becomes {@code a_b_c}. */
    static String prometheus(String name) {
        return name.replace('.', '_');
    }
}

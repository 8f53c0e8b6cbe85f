package io.fleetdoctor.collector.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fleetdoctor.collector.metrics.TextMetrics;
import io.fleetdoctor.collector.publish.ProducerSignalSink;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lean agent's HTTP side on the JDK's HttpServer, one thread (the dispatcher runs the handlers): the probes'
 * {@code /q/health/started}, {@code /live}, {@code /ready} (and {@code /q/health}, all of them) in SmallRye Health's
 * JSON ({@code {"status":"UP","checks":[...]}}, 200 when UP, 503 when DOWN) and {@code /q/metrics} in the
 * Prometheus text format.
 *
 * <ul>
 *   <li>started: the first tick has run;</li>
 *   <li>live: a tick has ended within {@link #stall} (a sampling thread stuck on a hung read is restarted);</li>
 *   <li>ready: a tick has <em>succeeded</em> within {@link #stall}, and the producer's latest outcome is not a drop
 *   or failure (no outcome yet counts as ready: the producer has just started).</li>
 * </ul>
 */
final class NodeAgentHttp implements AutoCloseable {
    private final HttpServer server;
    private final NodeAgentLoop loop;
    private final ProducerSignalSink sink;
    private final TextMetrics metrics;
    private final long stall;
    private final long startedAt = System.nanoTime();

    NodeAgentHttp(int port, NodeAgentLoop loop, ProducerSignalSink sink, TextMetrics metrics, Duration interval)
            throws IOException {
        this.loop = loop;
        this.sink = sink;
        this.metrics = metrics;
        this.stall = stall(interval).toNanos();
        server = HttpServer.create(new InetSocketAddress(port), 8);
        server.createContext("/q/health", this::health);
        server.createContext("/q/metrics", this::metrics);
        server.setExecutor(null); // the dispatcher thread handles each request itself: no pool
        server.start();
    }

    /** Three intervals, at least a minute: a tick may be late, and a slow read must not restart the pod. */
    static Duration stall(Duration interval) {
        Duration three = interval.multipliedBy(3);
        return three.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : three;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath().replaceAll("/+$", "");
        List<String> checks = new ArrayList<>();
        boolean up;
        long now = System.nanoTime();
        switch (path) {
            case "/q/health/started" -> up = started(checks);
            case "/q/health/live" -> up = live(checks, now);
            case "/q/health/ready" -> up = ready(checks, now);
            case "/q/health" -> up = started(checks) & live(checks, now) & ready(checks, now);
            default -> {
                send(x, 404, "text/plain", "not found\n");
                return;
            }
        }
        String body = "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":[" + String.join(",", checks) + "]}";
        send(x, up ? 200 : 503, "application/json", body);
    }

    private boolean started(List<String> checks) {
        boolean up = loop.lastTick() != 0;
        checks.add(check("node agent started", up, "\"firstTick\":" + up));
        return up;
    }

    private boolean live(List<String> checks, long now) {
        long last = loop.lastTick() == 0 ? startedAt : loop.lastTick();
        // before the first tick the startup probe decides; Kubernetes probes liveness only after it
        boolean up = loop.lastTick() == 0 || now - last <= stall;
        checks.add(check("node sampling running", up, "\"lastTickSecondsAgo\":" + seconds(now, loop.lastTick())));
        return up;
    }

    private boolean ready(List<String> checks, long now) {
        long ok = loop.lastSuccess();
        boolean sampling = ok != 0 && now - ok <= stall;
        String error = loop.lastError();
        checks.add(check("node sampling", sampling, "\"lastSuccessSecondsAgo\":" + seconds(now, ok)
                + (error == null ? "" : ",\"lastError\":" + json(error))));
        long delivered = sink.lastDelivered();
        long problem = sink.lastProblem();
        boolean kafka = problem == 0 || (delivered != 0 && delivered - problem > 0);
        checks.add(check("kafka producer", kafka, "\"lastDeliverySecondsAgo\":" + seconds(now, delivered)
                + ",\"lastDropOrFailureSecondsAgo\":" + seconds(now, problem)));
        return sampling && kafka;
    }

    private static String check(String name, boolean up, String data) {
        return "{\"name\":\"" + name + "\",\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"data\":{" + data + "}}";
    }

    /** Seconds since a System.nanoTime() value, or null for "never". */
    private static String seconds(long now, long then) {
        return then == 0 ? "null" : String.format(Locale.ROOT, "%.1f", (now - then) / 1e9);
    }

    static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private void metrics(HttpExchange x) throws IOException {
        send(x, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

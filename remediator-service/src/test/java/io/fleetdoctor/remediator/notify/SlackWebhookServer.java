package io.fleetdoctor.remediator.notify;

import com.sun.net.httpserver.HttpServer;
import io.fleetdoctor.infra.Ports;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real HTTP server standing in for Slack's incoming webhook: records every request with the
 * status it answered, answers 200 "ok" unless a scripted answer matches. One per test JVM, on a
 * fixed free port, so it can be stopped and started again at the same URL.
 */
public final class SlackWebhookServer {

    /** One request as received. */
    public record Received(String path, String body, int answeredStatus, Instant at, String authorization) {
    }

    private record Script(Predicate<String> matches, int status, String retryAfter, int[] remaining) {
    }

    private static final SlackWebhookServer INSTANCE = new SlackWebhookServer(Ports.free());

    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Script> scripts = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private final java.util.concurrent.atomic.AtomicLong postSeq = new java.util.concurrent.atomic.AtomicLong();

    private SlackWebhookServer(int port) {
        this.port = port;
    }

    /** The shared server, started. */
    public static synchronized SlackWebhookServer get() {
        if (INSTANCE.server == null) {
            INSTANCE.start();
        }
        return INSTANCE;
    }

    /** The incoming-webhook URL. */
    public String url() {
        return base() + "/services/T000/B000/XXXX";
    }

    /** {@code http://127.0.0.1:port}, for response_url values. */
    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status = 200;
            String answer = "ok";
            for (Script s : scripts) {
                synchronized (s) {
                    if (s.remaining()[0] > 0 && s.matches().test(body)) {
                        s.remaining()[0]--;
                        status = s.status();
                        answer = status == 429 ? "rate_limited" : "error";
                        if (s.retryAfter() != null) {
                            exchange.getResponseHeaders().add("Retry-After", s.retryAfter());
                        }
                        break;
                    }
                }
            }
            String path = exchange.getRequestURI().getPath();
            if (status == 200 && path.endsWith("/chat.postMessage")) {
                // Slack's Web API: HTTP 200 with a JSON answer carrying the message's ts (a thread id)
                answer = "{\"ok\":true,\"channel\":\"C0FLEET\",\"ts\":\"" + (1_700_000_000 + postSeq.incrementAndGet())
                        + ".000100\"}";
                exchange.getResponseHeaders().add("Content-Type", "application/json");
            }
            received.add(new Received(path, body, status, Instant.now(),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** Closes the listening socket: connections are refused until {@link #start()}. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** The next {@code times} requests whose body contains {@code marker} get {@code status}. */
    public void answer(String marker, int status, String retryAfter, int times) {
        scripts.add(new Script(b -> b.contains(marker), status, retryAfter, new int[]{times}));
    }

    /** Requests whose body contains {@code marker}, in arrival order. */
    public List<Received> containing(String marker) {
        return received.stream().filter(r -> r.body().contains(marker)).collect(Collectors.toList());
    }

    /** Requests containing {@code marker} that were answered 200, i.e. delivered. */
    public List<Received> deliveredContaining(String marker) {
        return received.stream().filter(r -> r.answeredStatus() == 200 && r.body().contains(marker))
                .collect(Collectors.toList());
    }
}

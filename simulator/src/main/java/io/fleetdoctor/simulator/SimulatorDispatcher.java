package io.fleetdoctor.simulator;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mixed dispatcher (expectations, then the in-memory CRUD store) plus what the CRUD store
 * lacks:
 * <ul>
 *   <li>{@code GET /api/v1/namespaces/<ns>/pods/<pod>/log} with {@code container}, {@code previous},
 *       {@code tailLines}, {@code limitBytes} (any order, other parameters ignored), from a {@link LogStore};
 *       400 like a real API server when the container is ambiguous or has no previous instance;</li>
 *   <li>a PUT of a main resource keeps the stored status (status is a subresource);</li>
 *   <li>server-side dry run: a write with {@code dryRun=All} is answered with the request body and not
 *       stored (the CRUD store would otherwise apply it).</li>
 * </ul>
 */
public final class SimulatorDispatcher extends KubernetesMixedDispatcher {
    private static final Pattern LOG_PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$");

    private final LogStore logs;

    public SimulatorDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, LogStore logs) {
        super(responses);
        this.logs = logs;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String full = request.getPath();
        int q = full.indexOf('?');
        String path = q < 0 ? full : full.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : full.substring(q + 1));
        String method = request.getMethod().toUpperCase(java.util.Locale.ROOT);
        if ("GET".equals(method)) {
            Matcher m = LOG_PATH.matcher(path);
            if (m.matches()) {
                return log(m.group(1), m.group(2), query);
            }
        }
        if (query.containsKey("dryRun") && !"GET".equals(method)) {
            String body = request.getUtf8Body();
            return new MockResponse().setResponseCode("POST".equals(method) ? 201 : 200)
                    .setHeader("Content-Type", "application/json").setBody(body == null ? "{}" : body);
        }
        if ("PUT".equals(method) && !path.endsWith("/status")) {
            return super.dispatch(keepStatus(request, path));
        }
        return super.dispatch(request);
    }

    /**
     * Like a real API server (status is a subresource), a PUT of the main resource keeps the stored
     * status: the CRUD store would replace it with the body's (often none, e.g. a client that copies
     * an object and drops its status), so watchers would briefly see a DaemonSet with 0 desired pods.
     */
    private RecordedRequest keepStatus(RecordedRequest request, String path) {
        try {
            MockResponse stored = super.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET, path,
                    new Headers.Builder().build(), new Buffer()));
            if (stored == null || stored.code() != 200 || stored.getBody() == null) {
                return request;
            }
            JsonNode old = Serialization.jsonMapper().readTree(stored.getBody().getBytes());
            byte[] raw = request.getBody() == null ? null : request.getBody().getBytes();
            if (raw == null || raw.length == 0 || !old.has("status")) {
                return request;
            }
            JsonNode body = Serialization.jsonMapper().readTree(raw);
            if (!(body instanceof ObjectNode)) {
                return request;
            }
            ((ObjectNode) body).set("status", old.get("status"));
            return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                    request.getHeaders(), new Buffer(Serialization.jsonMapper().writeValueAsBytes(body)));
        } catch (java.io.IOException | RuntimeException e) {
            return request; // let the CRUD store answer (and reject bad JSON) as it would
        }
    }

    private MockResponse log(String ns, String pod, Map<String, String> query) {
        if (!logs.hasPod(ns, pod)) {
            return status(404, "NotFound", "pods \"" + pod + "\" not found");
        }
        String container = query.get("container");
        List<String> containers = logs.containers(ns, pod);
        if (container == null || container.isEmpty()) {
            if (containers.size() != 1) {
                return status(400, "BadRequest", "a container name must be specified for pod " + pod
                        + ", choose one of: " + containers);
            }
            container = containers.get(0);
        }
        LogStore.ContainerLogs l = logs.get(ns, pod, container);
        if (l == null) {
            return status(400, "BadRequest", "container " + container + " is not valid for pod " + pod);
        }
        boolean previous = "true".equalsIgnoreCase(query.get("previous"));
        String text = previous ? l.previous() : l.current();
        if (previous && text == null) {
            return status(400, "BadRequest", "previous terminated container \"" + container + "\" in pod \""
                    + pod + "\" not found");
        }
        int tail = -1;
        if (query.containsKey("tailLines")) {
            try {
                tail = Integer.parseInt(query.get("tailLines"));
            } catch (NumberFormatException e) {
                return status(400, "BadRequest", "tailLines: not a number");
            }
        }
        String out = LogStore.tail(text, tail);
        if (query.containsKey("limitBytes")) {
            try {
                int limit = Integer.parseInt(query.get("limitBytes"));
                byte[] b = out.getBytes(StandardCharsets.UTF_8);
                if (limit >= 0 && b.length > limit) {
                    out = new String(b, 0, limit, StandardCharsets.UTF_8);
                }
            } catch (NumberFormatException e) {
                return status(400, "BadRequest", "limitBytes: not a number");
            }
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(out);
    }

    private static MockResponse status(int code, String reason, String message) {
        Status s = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message)
                .build();
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(s));
    }

    static Map<String, String> query(String q) {
        Map<String, String> out = new HashMap<>();
        if (q == null || q.isEmpty()) {
            return out;
        }
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }
}

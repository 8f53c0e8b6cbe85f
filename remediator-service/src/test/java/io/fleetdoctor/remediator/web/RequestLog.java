package io.fleetdoctor.remediator.web;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every HTTP request the test application receives ("POST /api/..."), before authentication: what a page sent. */
@ApplicationScoped
public class RequestLog {
    static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            REQUESTS.add(ctx.request().method() + " " + ctx.request().path());
            ctx.next();
        });
    }
}

package io.fleetdoctor.remediator.fleet;

import io.fleetdoctor.remediator.cluster.ClusterRegistry;
import io.fleetdoctor.remediator.cluster.RegisteredCluster;
import io.fleetdoctor.remediator.plan.PlanState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which clusters report: every cluster of the registry and every cluster that sends heartbeats or has plans or
 * incidents, with its open incidents and the last heartbeat of its collector and of each node agent (stale after {@code stale-after}, by the time
 * the remediator received it, so a skewed collector clock does not hide a silence), and its plans by state.
 * Also the gauges operators alert on: stale collectors and plans by state, refreshed from the database
 * every 30 s (never per scrape).
 */
@ApplicationScoped
public class FleetStatus {
    private static final Logger LOG = Logger.getLogger(FleetStatus.class);

    public record Source(String node, Instant lastHeartbeat, Instant lastReceived, boolean stale) {
    }

    public record ClusterStatus(String cluster, boolean registered, String clusterClass, String slackChannel,
                                Source collector, List<Source> nodeAgents, int staleNodeAgents,
                                Map<String, Integer> plans, boolean stale, int openIncidents) {
    }

    public record Fleet(Instant at, Duration staleAfter, List<ClusterStatus> clusters) {
    }

    @Inject
    EntityManager em;
    @Inject
    ClusterRegistry registry;
    @Inject
    io.fleetdoctor.remediator.policy.PolicyService policy;
    @Inject
    io.fleetdoctor.remediator.config.RemediatorConfig config;

    private final Map<String, AtomicLong> staleByComponent = new TreeMap<>();
    private final Map<String, AtomicLong> reportingByComponent = new TreeMap<>();
    private final Map<PlanState, AtomicLong> plansByState = new EnumMap<>(PlanState.class);

    /** At startup, so /q/metrics shows the gauges before anything uses this bean. */
    void registerGauges(@Observes StartupEvent startup, MeterRegistry meters) {
        for (String component : List.of("cluster-watcher", "node-agent")) {
            AtomicLong stale = new AtomicLong();
            AtomicLong reporting = new AtomicLong();
            staleByComponent.put(component, stale);
            reportingByComponent.put(component, reporting);
            Gauge.builder("fleetdoctor.collectors.stale", stale, AtomicLong::get).tag("component", component)
                    .description("Collectors whose last heartbeat is older than fleetdoctor.remediator.fleet.stale-after")
                    .register(meters);
            Gauge.builder("fleetdoctor.collectors.known", reporting, AtomicLong::get).tag("component", component)
                    .description("Collectors that ever sent a heartbeat").register(meters);
        }
        for (PlanState s : PlanState.values()) {
            AtomicLong n = new AtomicLong();
            plansByState.put(s, n);
            Gauge.builder("fleetdoctor.plans", n, AtomicLong::get).tag("state", s.name())
                    .description("Plans by state (all instances see the same database: aggregate with max)")
                    .register(meters);
        }
    }

    @Transactional
    public Fleet fleet() {
        Instant now = Instant.now();
        Duration staleAfter = config.fleet().staleAfter();
        Map<String, List<Object[]>> beats = new TreeMap<>();
        for (Object[] r : rows("SELECT cluster, component, node, last_event_time, last_received_at"
                + " FROM remediator.collector_heartbeat ORDER BY cluster, component, node")) {
            beats.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add(r);
        }
        Map<String, Map<String, Integer>> plans = new TreeMap<>();
        for (Object[] r : rows("SELECT cluster, state, count(*) FROM remediator.plan GROUP BY cluster, state")) {
            plans.computeIfAbsent((String) r[0], k -> new TreeMap<>()).put((String) r[1], ((Number) r[2]).intValue());
        }
        Map<String, Integer> incidents = new TreeMap<>();
        for (Object[] r : rows("SELECT cluster, count(*) FROM remediator.incident WHERE status = 'open' GROUP BY cluster")) {
            incidents.put((String) r[0], ((Number) r[1]).intValue());
        }
        TreeMap<String, Boolean> ids = new TreeMap<>();
        registry.all().keySet().forEach(id -> ids.put(id, true));
        beats.keySet().forEach(id -> ids.putIfAbsent(id, false));
        plans.keySet().forEach(id -> ids.putIfAbsent(id, false));
        incidents.keySet().forEach(id -> ids.putIfAbsent(id, false));
        List<ClusterStatus> out = new ArrayList<>();
        for (Map.Entry<String, Boolean> id : ids.entrySet()) {
            Source collector = null;
            List<Source> agents = new ArrayList<>();
            for (Object[] r : beats.getOrDefault(id.getKey(), List.of())) {
                Source s = new Source(((String) r[2]).isEmpty() ? null : (String) r[2], instant(r[3]), instant(r[4]),
                        instant(r[4]).isBefore(now.minus(staleAfter)));
                if ("cluster-watcher".equals(r[1])) {
                    collector = s;
                } else {
                    agents.add(s);
                }
            }
            int staleAgents = (int) agents.stream().filter(Source::stale).count();
            RegisteredCluster reg = registry.find(id.getKey()).orElse(null);
            // a cluster is stale when its collector is silent (or never spoke); agents are shown one by one
            boolean stale = collector == null || collector.stale();
            out.add(new ClusterStatus(id.getKey(), id.getValue(), policy.classOf(id.getKey()),
                    reg == null ? null : reg.slackChannel(), collector, agents, staleAgents,
                    plans.getOrDefault(id.getKey(), Map.of()), stale, incidents.getOrDefault(id.getKey(), 0)));
        }
        return new Fleet(now, staleAfter, out);
    }

    @Scheduled(every = "${fleetdoctor.remediator.fleet.gauge-refresh:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshGauges() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // the gauges keep their last values; readiness reports the database
            LOG.debugf("fleet gauges not refreshed: %s", e.toString());
        }
    }

    @Transactional
    void refresh() {
        Instant cut = Instant.now().minus(config.fleet().staleAfter());
        for (String c : staleByComponent.keySet()) {
            Object[] r = (Object[]) em.createNativeQuery("SELECT count(*), count(*) FILTER (WHERE last_received_at < ?1)"
                    + " FROM remediator.collector_heartbeat WHERE component = ?2")
                    .setParameter(1, java.sql.Timestamp.from(cut)).setParameter(2, c).getSingleResult();
            reportingByComponent.get(c).set(((Number) r[0]).longValue());
            staleByComponent.get(c).set(((Number) r[1]).longValue());
        }
        Map<PlanState, Long> counts = new EnumMap<>(PlanState.class);
        for (Object[] r : rows("SELECT state, count(*) FROM remediator.plan GROUP BY state")) {
            counts.put(PlanState.valueOf((String) r[0]), ((Number) r[1]).longValue());
        }
        plansByState.forEach((s, n) -> n.set(counts.getOrDefault(s, 0L)));
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> rows(String sql) {
        return em.createNativeQuery(sql).getResultList();
    }

    /** A timestamptz column of a native query, whichever Java type the driver and Hibernate give it. */
    public static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        return (Instant) o;
    }
}

package io.fleetdoctor.analyzer.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The analyzers of one group share the clusters by partition (records are keyed by cluster id). When this
 * instance is assigned partitions of {@code fleetdoctor.signals} it rebuilds their clusters before consuming:
 * drops what it held for them, adopts their open incidents from the database with their stored state, replays
 * the records of the last {@code rebuild-window} up to the group's committed offset into the windows (a
 * separate consumer without a group; no rule is evaluated per record), then evaluates each rebuilt cluster
 * once: only what differs from the stored state is stored and sent. Records from the committed offset on are
 * consumed as usual. Revoked partitions: their clusters' windows are dropped.
 * Runs on the consumer's polling thread, so no record of an assigned partition is consumed before the rebuild
 * ends and its changes are stored.
 */
@ApplicationScoped
@Identifier(PartitionRebuild.NAME)
public class PartitionRebuild implements KafkaConsumerRebalanceListener {
    /** The name in {@code mp.messaging.incoming.signals.consumer-rebalance-listener.name}. */
    public static final String NAME = "signals-rebuild";
    private static final Logger LOG = Logger.getLogger(PartitionRebuild.class);
    /** A rebuild that cannot read its records in this time gives up (logged); the partition is consumed anyway. */
    private static final Duration READ_BOUND = Duration.ofMinutes(2);

    @Inject
    Analysis analysis;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private final Counter replayed;
    private final Counter adopted;
    private final Counter rebuilds;

    @Inject
    public PartitionRebuild(MeterRegistry registry) {
        replayed = Counter.builder("fleetdoctor.rebuild.records").description(
                "Signal records replayed into windows on partition assignment").register(registry);
        adopted = Counter.builder("fleetdoctor.rebuild.incidents.adopted").description(
                "Open incidents adopted from the database on partition assignment").register(registry);
        rebuilds = Counter.builder("fleetdoctor.rebuild.assignments").description(
                "Partition assignments rebuilt").register(registry);
    }

    /** The partition the producers' default partitioner gives a record keyed by this cluster id. */
    public static int partitionOf(String cluster, int partitions) {
        return Utils.toPositive(Utils.murmur2(cluster.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Clusters whose records go to one of {@code partitions} of a topic with {@code count} partitions. */
    static Predicate<String> clustersOf(Collection<TopicPartition> partitions, int count) {
        Set<Integer> ps = new HashSet<>();
        partitions.forEach(tp -> ps.add(tp.partition()));
        return c -> ps.contains(partitionOf(c, count));
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        int dropped = analysis.dropClusters(clustersOf(partitions, partitionCount(consumer, partitions)));
        LOG.infof("partitions %s revoked: dropped the windows of %d clusters", numbers(partitions), dropped);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Instant started = Instant.now();
        Predicate<String> mine = clustersOf(partitions, partitionCount(consumer, partitions));
        analysis.dropClusters(mine); // a clean start, whatever was held before
        int incidents = analysis.adoptOpenIncidents(mine);
        adopted.increment(incidents);
        Map<TopicPartition, Long> until = new HashMap<>();
        consumer.committed(new HashSet<>(partitions)).forEach((tp, om) -> {
            if (om != null && om.offset() > 0) {
                until.put(tp, om.offset());
            }
        });
        Instant from = started.minus(analysis.rebuildWindow());
        Map<String, String> lastSignal = new LinkedHashMap<>();
        long records = until.isEmpty() ? 0 : replay(until, from, lastSignal);
        replayed.increment(records);
        int changes = analysis.evaluateRebuilt(lastSignal);
        rebuilds.increment();
        LOG.infof("partitions %s assigned: %d records replayed (from %s up to the committed offsets %s), windows of %d"
                        + " clusters rebuilt, %d open incidents adopted, %d changes stored after the rebuild, in %d ms",
                numbers(partitions), records, from, until.isEmpty() ? "{}" : new java.util.TreeMap<>(offsets(until)),
                lastSignal.size(), incidents, changes, Duration.between(started, Instant.now()).toMillis());
    }

    private static int partitionCount(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        return consumer.partitionsFor(partitions.iterator().next().topic()).size();
    }

    /** Replays [offset at {@code from}, committed) of each partition; returns the records read. */
    private long replay(Map<TopicPartition, Long> until, Instant from, Map<String, String> lastSignal) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.keySet().removeIf(k -> k.startsWith("group.") || k.equals("client.id") || k.startsWith("enable.auto"));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "analyzer-rebuild");
        long n = 0;
        try (KafkaConsumer<String, byte[]> replay = new KafkaConsumer<>(props)) {
            replay.assign(until.keySet());
            Map<TopicPartition, Long> times = new HashMap<>();
            until.keySet().forEach(tp -> times.put(tp, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> start = replay.offsetsForTimes(times, Duration.ofSeconds(30));
            Map<TopicPartition, Long> pending = new HashMap<>();
            for (TopicPartition tp : until.keySet()) {
                OffsetAndTimestamp at = start.get(tp);
                if (at != null && at.offset() < until.get(tp)) {
                    replay.seek(tp, at.offset());
                    pending.put(tp, until.get(tp));
                }
            }
            replay.pause(diff(until.keySet(), pending.keySet()));
            Instant deadline = Instant.now().plus(READ_BOUND);
            while (!pending.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    LOG.errorf("rebuild stopped after %s with partitions %s not read up to their committed offsets;"
                            + " their windows start incomplete", READ_BOUND, numbers(pending.keySet()));
                    break;
                }
                for (ConsumerRecord<String, byte[]> r : replay.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long end = pending.get(tp);
                    if (end == null || r.offset() >= end) {
                        continue;
                    }
                    n++;
                    var e = analysis.replay(r);
                    if (e != null) {
                        lastSignal.put(e.cluster(), e.id()); // the trigger of a decision made on the rebuilt window
                    }
                }
                for (TopicPartition tp : new HashSet<>(pending.keySet())) {
                    if (replay.position(tp) >= pending.get(tp)) {
                        pending.remove(tp);
                        replay.pause(Set.of(tp));
                    }
                }
            }
        } catch (RuntimeException e) {
            // the partitions are still consumed from the committed offsets: windows start incomplete, nothing is lost
            LOG.errorf(e, "rebuild of %s failed after %d records; their windows start incomplete",
                    numbers(until.keySet()), n);
        }
        return n;
    }

    private static Set<TopicPartition> diff(Set<TopicPartition> all, Set<TopicPartition> minus) {
        Set<TopicPartition> d = new HashSet<>(all);
        d.removeAll(minus);
        return d;
    }

    private static Map<Integer, Long> offsets(Map<TopicPartition, Long> m) {
        Map<Integer, Long> out = new HashMap<>();
        m.forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        Set<Integer> s = new TreeSet<>();
        partitions.forEach(tp -> s.add(tp.partition()));
        return s;
    }
}

package io.fleetdoctor.analyzer.ingest;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterShardsTest {

    /** 5,000 records of 40 clusters over 6 partitions, interleaved as a poll returns them; some without a key. */
    private static List<ConsumerRecord<String, byte[]>> batch() {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String key = i % 97 == 0 ? null : "c-" + (i * 7 % 40);
            out.add(new ConsumerRecord<>("fleetdoctor.signals", i % 6, i, key, new byte[0]));
        }
        return out;
    }

    @Test
    void everyRecordOnceAndEachClusterInBatchOrderOnSeveralThreads() {
        List<ConsumerRecord<String, byte[]>> batch = batch();
        try (ClusterShards shards = new ClusterShards(3)) {
            Map<String, List<Long>> seen = new ConcurrentHashMap<>();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            shards.run(batch, batch.size(), r -> {
                threads.add(Thread.currentThread().getName());
                seen.computeIfAbsent(String.valueOf(r.key()), k -> new CopyOnWriteArrayList<>()).add(r.offset());
            });
            assertEquals(batch.size(), seen.values().stream().mapToInt(List::size).sum());
            for (Map.Entry<String, List<Long>> e : seen.entrySet()) {
                List<Long> expected = batch.stream().filter(r -> String.valueOf(r.key()).equals(e.getKey()))
                        .map(ConsumerRecord::offset).toList();
                assertEquals(expected, e.getValue(), "order of cluster " + e.getKey());
            }
            assertEquals(3, threads.size(), "the caller and both pool threads worked: " + threads);
            assertTrue(threads.contains(Thread.currentThread().getName()));
        }
    }

    @Test
    void aClusterAlwaysGoesToTheSameShard() {
        for (int i = 0; i < 1_000; i++) {
            String c = "cluster-" + i;
            int s = ClusterShards.shard(c, 4);
            assertTrue(s >= 0 && s < 4);
            assertEquals(s, ClusterShards.shard(new String(c.toCharArray()), 4));
        }
        assertEquals(0, ClusterShards.shard(null, 4));
    }

    @Test
    void aFailureInAnyShardReachesTheCallerAfterEveryShardEnded() {
        List<ConsumerRecord<String, byte[]>> batch = batch();
        String failing = batch.stream().map(ConsumerRecord::key).filter(k -> k != null && ClusterShards.shard(k, 2) == 1)
                .findFirst().orElseThrow();
        IllegalStateException boom = new IllegalStateException("store refused");
        List<Long> done = new CopyOnWriteArrayList<>();
        try (ClusterShards shards = new ClusterShards(2)) {
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> shards.run(batch, batch.size(), r -> {
                if (failing.equals(r.key())) {
                    throw boom;
                }
                done.add(r.offset());
            }));
            assertSame(boom, thrown);
            // the caller's shard (0) ran to its end before the failure was rethrown
            long shard0 = batch.stream().filter(r -> ClusterShards.shard(r.key(), 2) == 0).count();
            assertTrue(done.stream().filter(o -> ClusterShards.shard(batch.get(o.intValue()).key(), 2) == 0).count() == shard0);
        }
    }

    @Test
    void oneThreadOrASmallBatchRunsOnTheCaller() {
        List<ConsumerRecord<String, byte[]>> batch = batch();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (ClusterShards one = new ClusterShards(1)) {
            one.run(batch, batch.size(), r -> threads.add(Thread.currentThread().getName()));
        }
        try (ClusterShards two = new ClusterShards(2)) {
            List<ConsumerRecord<String, byte[]>> small = batch.subList(0, ClusterShards.MIN_SPLIT - 1);
            two.run(small, small.size(), r -> threads.add(Thread.currentThread().getName()));
        }
        assertEquals(Set.of(Thread.currentThread().getName()), threads);
        assertThrows(IllegalArgumentException.class, () -> new ClusterShards(0));
    }
}

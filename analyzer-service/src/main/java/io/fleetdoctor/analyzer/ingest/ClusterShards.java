package io.fleetdoctor.analyzer.ingest;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Works on one batch of records with several threads, split by record key (the cluster id): every record of a
 * cluster goes to the same thread, in the batch's order, so each cluster sees its signals in the order it would
 * one by one. A record without a key goes to the first shard.
 * <p>
 * Performance (BENCHMARKS.md): one thread spent ~48 % of its time decoding and ~42 % in the engine, while the
 * other core was partly idle; decoding is pure and the engine serialises only per cluster, so the batch is split.
 * The caller thread works on the first shard itself and returns once every shard is done (nothing of the batch is
 * acknowledged before), rethrowing the first failure.
 */
final class ClusterShards implements AutoCloseable {
    /** Below this a batch is worked on by the caller alone: splitting costs more than it saves. */
    static final int MIN_SPLIT = 64;

    private final int threads;
    private final ExecutorService pool;

    ClusterShards(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("fleetdoctor.analyzer.ingest-threads: must be >= 1, was " + threads);
        }
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "signals-shard-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** The shard of a record key: the same for every record of a cluster. */
    static int shard(String key, int shards) {
        return key == null ? 0 : Math.floorMod(key.hashCode() * 0x9E3779B9, shards);
    }

    <K, V> void run(Iterable<ConsumerRecord<K, V>> records, int count, Consumer<ConsumerRecord<K, V>> work) {
        if (pool == null || count < MIN_SPLIT) {
            for (ConsumerRecord<K, V> r : records) {
                work.accept(r);
            }
            return;
        }
        List<List<ConsumerRecord<K, V>>> shards = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            shards.add(new ArrayList<>(count / threads + 16));
        }
        for (ConsumerRecord<K, V> r : records) {
            shards.get(shard(r.key() == null ? null : r.key().toString(), threads)).add(r);
        }
        List<Future<?>> others = new ArrayList<>(threads - 1);
        for (int i = 1; i < threads; i++) {
            List<ConsumerRecord<K, V>> shard = shards.get(i);
            if (!shard.isEmpty()) {
                others.add(pool.submit(() -> shard.forEach(work)));
            }
        }
        RuntimeException failure = null;
        try {
            shards.get(0).forEach(work);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted while a shard ran", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof Error err) {
                    throw err;
                }
                failure = failure != null ? failure : c instanceof RuntimeException re ? re : new IllegalStateException(c);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

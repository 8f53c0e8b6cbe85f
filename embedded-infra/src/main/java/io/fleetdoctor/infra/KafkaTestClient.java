package io.fleetdoctor.infra;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Plain Kafka clients against the shared broker, for tests: what a collector, an analyzer or an
 * operator would do from outside a service. Injected into {@code @QuarkusTest}s with
 * {@code @InjectKafka} (see {@link InfraTestResource}); outside of Quarkus, made from
 * {@code SharedInfra.get().kafka().bootstrapServers()}.
 * Values are bytes, keys strings, as on every fleetdoctor topic.
 */
public final class KafkaTestClient implements AutoCloseable {
    /** Value of the {@code content-type} header of a structured CloudEvent (the contract's, repeated: no dependency on it). */
    public static final String CLOUDEVENTS_JSON = "application/cloudevents+json";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private KafkaProducer<String, byte[]> producer;
    private Admin admin;

    public KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    // ------------------------------------------------------------------ sending

    /** Sends one record with a {@code content-type: application/cloudevents+json} header; returns once acknowledged. */
    public RecordMetadata sendCloudEvent(String topic, String key, byte[] json) {
        return send(topic, key, json, Map.of("content-type", CLOUDEVENTS_JSON));
    }

    /** Sends one record as is (any bytes, no header); returns once acknowledged. */
    public RecordMetadata send(String topic, String key, byte[] value) {
        return send(topic, key, value, Map.of());
    }

    public RecordMetadata send(String topic, String key, String value) {
        return send(topic, key, value.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public RecordMetadata send(String topic, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return acked(producer().send(r));
    }

    /** Sends the values in order with the same key (so to one partition, in that order), without headers. */
    public void sendAll(String topic, String key, List<String> values) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (String v : values) {
            sent.add(producer().send(new ProducerRecord<>(topic, key, v.getBytes(StandardCharsets.UTF_8))));
        }
        producer().flush();
        sent.forEach(KafkaTestClient::acked);
    }

    /** Sends the values (any bytes) in order with the same key, without headers; returns once all are acknowledged. */
    public void sendAllBytes(String topic, String key, List<byte[]> values) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (byte[] v : values) {
            sent.add(producer().send(new ProducerRecord<>(topic, key, v)));
        }
        producer().flush();
        sent.forEach(KafkaTestClient::acked);
    }

    private static RecordMetadata acked(Future<RecordMetadata> f) {
        try {
            return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("record not acknowledged: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("record not acknowledged: " + e, e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5),
                    new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    // ------------------------------------------------------------------ topics

    /** Creates the topics with the broker's default partitions; existing ones are left alone. */
    public void createTopics(String... topics) {
        List<NewTopic> wanted = new ArrayList<>();
        for (String t : topics) {
            wanted.add(new NewTopic(t, Optional.empty(), Optional.empty()));
        }
        admin().createTopics(wanted).values().forEach((topic, f) -> {
            try {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause(), e.getCause());
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot create topic " + topic + ": " + e, e);
            }
        });
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        }
        return admin;
    }

    // ------------------------------------------------------------------ reading

    /** Every record of the topic, the ones already there first. */
    public Reader<ConsumerRecord<String, byte[]>> fromBeginning(String topic) {
        return fromBeginning(topic, Function.identity());
    }

    /** Only records written to the topic from now on. */
    public Reader<ConsumerRecord<String, byte[]>> fromNow(String topic) {
        return fromNow(topic, Function.identity());
    }

    /**
     * As {@link #fromBeginning(String)}, each record turned into a {@code T} as it is read (e.g. a
     * decoded event; the function may also assert on the record, failing the read).
     */
    public <T> Reader<T> fromBeginning(String topic, Function<ConsumerRecord<String, byte[]>, T> decoder) {
        return new Reader<>(this, topic, false, decoder);
    }

    public <T> Reader<T> fromNow(String topic, Function<ConsumerRecord<String, byte[]>, T> decoder) {
        return new Reader<>(this, topic, true, decoder);
    }

    /**
     * A consumer of every partition of one topic, without a consumer group (nothing committed, no
     * rebalancing to wait for). Records are read only when asked: each call polls once, briefly.
     */
    public static final class Reader<T> implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Function<ConsumerRecord<String, byte[]>, T> decoder;
        private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        private final List<T> seen = new ArrayList<>();

        private Reader(KafkaTestClient client, String topic, boolean fromNow,
                       Function<ConsumerRecord<String, byte[]>, T> decoder) {
            this.decoder = decoder;
            client.createTopics(topic);
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, client.bootstrapServers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromNow ? "latest" : "earliest"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            try {
                List<TopicPartition> partitions = new ArrayList<>();
                Awaitility.await("partitions of " + topic).atMost(WAIT).until(() -> {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                    return !infos.isEmpty();
                });
                consumer.assign(partitions);
                if (fromNow) {
                    consumer.seekToEnd(partitions);
                } else {
                    consumer.seekToBeginning(partitions);
                }
                // resolve the positions now: "from now" means from this call, not from the first poll
                partitions.forEach(p -> consumer.position(p, WAIT));
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
        }

        /** Polls once and returns every record read so far, in the order read. */
        public List<ConsumerRecord<String, byte[]>> records() {
            poll();
            return Collections.unmodifiableList(new ArrayList<>(records));
        }

        /** Polls once and returns the records read so far with this key. */
        public List<ConsumerRecord<String, byte[]>> withKey(String key) {
            poll();
            return records.stream().filter(r -> key.equals(r.key())).toList();
        }

        /** What was read so far, decoded; does not poll. */
        public List<T> seen() {
            return Collections.unmodifiableList(new ArrayList<>(seen));
        }

        /** Reads until a record matches (60 s at most) and returns the first that does. */
        public T await(String what, Predicate<? super T> match) {
            return await(what, match, WAIT);
        }

        public T await(String what, Predicate<? super T> match, Duration atMost) {
            List<T> found = new ArrayList<>();
            Awaitility.await(what).atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
                poll();
                seen.stream().filter(match).findFirst().ifPresent(found::add);
                return !found.isEmpty();
            });
            return found.get(0);
        }

        private void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                records.add(r);
                seen.add(decoder.apply(r));
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(10));
            admin = null;
        }
    }
}

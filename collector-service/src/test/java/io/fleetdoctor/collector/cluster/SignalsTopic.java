package io.fleetdoctor.collector.cluster;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventCodec;
import io.fleetdoctor.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reads {@code fleetdoctor.signals} from the real embedded broker, in its own consumer group. */
public final class SignalsTopic implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<CloudEvent<?>> seen = new ArrayList<>();

    public SignalsTopic() {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "collector-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.SIGNALS));
    }

    /** Waits until one of the signals read so far matches; every record is checked for key and header. */
    public CloudEvent<?> awaitSignal(String what, Predicate<CloudEvent<?>> match) {
        CloudEvent<?>[] found = new CloudEvent<?>[1];
        await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                CloudEvent<?> e = EventCodec.decode(r.value());
                assertEquals(e.cluster(), r.key(), "record key is the cluster id");
                Header ct = r.headers().lastHeader("content-type");
                assertEquals(CloudEvent.CONTENT_TYPE, ct == null ? null : new String(ct.value(), StandardCharsets.UTF_8));
                seen.add(e);
            }
            for (CloudEvent<?> e : seen) {
                if (match.test(e)) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    public List<CloudEvent<?>> seen() {
        return seen;
    }

    @Override
    public void close() {
        consumer.close();
    }
}

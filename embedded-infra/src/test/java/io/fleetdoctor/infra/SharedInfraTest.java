package io.fleetdoctor.infra;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared servers are real: a record goes through the broker and SQL runs on PostgreSQL. */
class SharedInfraTest {

    @Test
    void brokerCarriesRecordsAndDatabaseAnswersSql() throws Exception {
        SharedInfra infra = SharedInfra.get();
        assertSame(infra, SharedInfra.get(), "one set of servers per JVM");
        String topic = "infra-smoke";
        try (KafkaTestClient kafka = new KafkaTestClient(infra.kafka().bootstrapServers())) {
            kafka.send(topic, "demo-1", "hello");
            try (KafkaTestClient.Reader<ConsumerRecord<String, byte[]>> reader = kafka.fromBeginning(topic)) {
                ConsumerRecord<String, byte[]> got = reader.await("the record", r -> true, Duration.ofSeconds(30));
                assertEquals("demo-1", got.key());
                assertEquals("hello", new String(got.value(), StandardCharsets.UTF_8));
            }
        }

        try (Connection db = DriverManager.getConnection(infra.postgres().jdbcUrl(), infra.postgres().user(),
                infra.postgres().password()); ResultSet rs = db.createStatement().executeQuery("select version()")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).startsWith("PostgreSQL"), rs.getString(1));
        }
        assertTrue(infra.kafka().isRunning());
    }

    @Test
    void aReaderFromNowSeesOnlyLaterRecordsAndDecodesThem() {
        String topic = "infra-client-" + UUID.randomUUID();
        try (KafkaTestClient kafka = new KafkaTestClient(SharedInfra.get().kafka().bootstrapServers())) {
            kafka.createTopics(topic);
            kafka.createTopics(topic); // existing: left alone
            kafka.send(topic, "k", "before");
            try (KafkaTestClient.Reader<String> now = kafka.fromNow(topic,
                    r -> new String(r.value(), StandardCharsets.UTF_8));
                 KafkaTestClient.Reader<ConsumerRecord<String, byte[]>> all = kafka.fromBeginning(topic)) {
                kafka.sendCloudEvent(topic, "k", "{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8));
                kafka.sendAll(topic, "other", List.of("a", "b"));

                assertEquals("b", now.await("the last record", "b"::equals));
                await().atMost(Duration.ofSeconds(30)).until(() -> now.records().size() >= 3);
                // two keys, possibly two partitions, so no order between them; "before" is not there
                assertEquals(Set.of("{\"id\":\"1\"}", "a", "b"), Set.copyOf(now.seen()));
                assertEquals(3, now.seen().size());
                ConsumerRecord<String, byte[]> event = all.await("the event", r -> r.headers().lastHeader(
                        "content-type") != null);
                assertEquals(KafkaTestClient.CLOUDEVENTS_JSON,
                        new String(event.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(30)).until(() -> all.records().size() >= 4);
                assertEquals(4, all.records().size());
                assertEquals(2, all.withKey("k").size());
            }
        }
    }
}

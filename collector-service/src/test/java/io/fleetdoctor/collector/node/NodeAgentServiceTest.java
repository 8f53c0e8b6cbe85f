package io.fleetdoctor.collector.node;

import io.fleetdoctor.collector.cluster.SignalRecord;
import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.EventType;
import io.fleetdoctor.events.Heartbeat;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.events.ProcessIo;
import io.fleetdoctor.events.Topics;
import io.fleetdoctor.infra.InfraTestResource;
import io.fleetdoctor.infra.InjectKafka;
import io.fleetdoctor.infra.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code node} mode end to end: the Quarkus service samples the fixture tree and publishes to the real Kafka. */
@QuarkusTest
@TestProfile(NodeAgentServiceTest.NodeMode.class)
@QuarkusTestResource(InfraTestResource.class)
@WithKubernetesTestServer(crud = true)
class NodeAgentServiceTest {
    static final String CLUSTER = "it-node-agent";

    @InjectKafka
    KafkaTestClient kafka;

    public static class NodeMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path fixture = Path.of("src/test/resources/node-fixture").toAbsolutePath();
            return Map.of(
                    "fleetdoctor.collector.mode", "node",
                    "fleetdoctor.collector.cluster-id", CLUSTER,
                    "fleetdoctor.collector.node-name", "fixture-node",
                    "fleetdoctor.collector.host-ip", "10.20.0.11",
                    "fleetdoctor.collector.procfs", fixture.resolve("proc").toString(),
                    "fleetdoctor.collector.sysfs", fixture.resolve("sys").toString(),
                    "fleetdoctor.collector.interval", "200ms",
                    "fleetdoctor.collector.heartbeat-interval", "1s");
        }
    }

    @Test
    void publishesInventoryProcessIoAndHeartbeatsKeyedByCluster() {
        try (var topic = kafka.fromBeginning(Topics.SIGNALS, SignalRecord::checked)) {
            CloudEvent<?> inv = topic.await("node-interfaces", e -> e.cluster().equals(CLUSTER)
                    && e.type() == EventType.NODE_INTERFACES);
            NodeInterfaces n = inv.as(NodeInterfaces.class).data();
            assertEquals("/clusters/it-node-agent/nodes/fixture-node/agent", inv.source());
            assertEquals("fixture-node", n.node());
            assertEquals("10.20.0.11", n.hostIP());
            assertEquals(List.of("eth0", "eth1"), n.interfaces().stream().filter(NodeInterfaces.Interface::physical)
                    .map(NodeInterfaces.Interface::name).collect(Collectors.toList()));
            assertEquals(List.of("eth1"), n.interfaces().stream().filter(NodeInterfaces.Interface::defaultRoute)
                    .map(NodeInterfaces.Interface::name).collect(Collectors.toList()));

            ProcessIo io = topic.await("process-io", e -> e.cluster().equals(CLUSTER)
                    && e.type() == EventType.PROCESS_IO).as(ProcessIo.class).data();
            assertEquals(List.of(new ProcessIo.Process(2345, "flanneld", 0, 0)), io.processes(),
                    "the watched flanneld is listed even when idle");

            Heartbeat hb = topic.await("heartbeat", e -> e.cluster().equals(CLUSTER)
                    && e.type() == EventType.HEARTBEAT).as(Heartbeat.class).data();
            assertEquals(new Heartbeat(Heartbeat.NODE_AGENT, "fixture-node"), hb);
        }
    }
}

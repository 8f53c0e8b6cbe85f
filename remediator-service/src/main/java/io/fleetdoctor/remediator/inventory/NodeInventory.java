package io.fleetdoctor.remediator.inventory;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The latest interface inventory of one node, from its node agent's node-interfaces signal. */
@Entity
@Table(name = "node_inventory")
@IdClass(NodeInventory.Key.class)
public class NodeInventory extends PanacheEntityBase {
    @Id
    public String cluster;
    @Id
    public String node;
    @Column(name = "host_ip")
    public String hostIp;
    @Column(name = "kernel_version")
    public String kernelVersion;
    /** JSON array of interface names. */
    @Column(name = "interfaces_json")
    public String interfacesJson;
    @Column(name = "observed_at")
    public Instant observedAt;

    public static List<NodeInventory> ofCluster(String cluster) {
        return list("cluster", cluster);
    }

    public static class Key implements Serializable {
        public String cluster;
        public String node;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(cluster, k.cluster) && Objects.equals(node, k.node);
        }

        @Override
        public int hashCode() {
            return Objects.hash(cluster, node);
        }
    }
}

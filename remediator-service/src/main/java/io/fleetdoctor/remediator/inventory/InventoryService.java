package io.fleetdoctor.remediator.inventory;

import io.fleetdoctor.events.CloudEvent;
import io.fleetdoctor.events.NodeInterfaces;
import io.fleetdoctor.remediator.plan.PlanJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Node interface inventories, kept from the node agents' node-interfaces signals. */
@ApplicationScoped
public class InventoryService {

    /** Stores the inventory unless a newer one (by event time) is already stored. */
    @Transactional
    public void upsert(CloudEvent<NodeInterfaces> event) {
        NodeInterfaces data = event.data();
        List<String> names = new ArrayList<>();
        for (NodeInterfaces.Interface i : data.interfaces()) {
            names.add(i.name());
        }
        NodeInventory.getEntityManager().createNativeQuery("""
                INSERT INTO remediator.node_inventory (cluster, node, host_ip, kernel_version, interfaces_json, observed_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT (cluster, node) DO UPDATE SET host_ip = EXCLUDED.host_ip,
                    kernel_version = EXCLUDED.kernel_version, interfaces_json = EXCLUDED.interfaces_json,
                    observed_at = EXCLUDED.observed_at
                WHERE remediator.node_inventory.observed_at <= EXCLUDED.observed_at
                """)
                .setParameter(1, event.cluster())
                .setParameter(2, data.node())
                .setParameter(3, data.hostIP())
                .setParameter(4, data.kernelVersion())
                .setParameter(5, PlanJson.write(names))
                .setParameter(6, java.sql.Timestamp.from(event.time()))
                .executeUpdate();
    }

    /** Node → interface names, for the nodes of a cluster with a known inventory. */
    @Transactional
    public Map<String, List<String>> interfaces(String cluster) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (NodeInventory n : NodeInventory.ofCluster(cluster)) {
            out.put(n.node, PlanJson.strings(n.interfacesJson));
        }
        return out;
    }
}

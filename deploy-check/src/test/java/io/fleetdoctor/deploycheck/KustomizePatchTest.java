package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The patch semantics of the kustomize model, without kubectl. */
class KustomizePatchTest {

    private static ObjectNode yaml(String text) {
        return (ObjectNode) Yamls.documents(text).get(0);
    }

    @Test
    void strategicMergeMergesMapsAndNamedListItems() {
        ObjectNode target = yaml("spec:\n  replicas: 1\n  containers:\n    - name: a\n      image: x\n      env: [{name: K, value: v}]\n"
                + "    - name: b\n      image: y\n");
        Kustomize.strategicMerge(target, yaml("spec:\n  containers:\n    - name: a\n      resources: {requests: {cpu: 1m}}\n"
                + "      env: [{name: L, value: w}]\n    - name: c\n      image: z\n"));
        JsonNode expected = yaml("spec:\n  replicas: 1\n  containers:\n"
                + "    - name: a\n      image: x\n      env: [{name: K, value: v}, {name: L, value: w}]\n      resources: {requests: {cpu: 1m}}\n"
                + "    - name: b\n      image: y\n    - name: c\n      image: z\n");
        assertEquals(expected, target);
    }

    @Test
    void json6902ReplacesAddsAndRemoves() {
        ObjectNode target = yaml("spec:\n  replicas: 3\n  config: {retention.ms: 1, min.insync.replicas: 2}\n  list: [a, b]\n");
        List<String> problems = new ArrayList<>();
        Kustomize.json6902(target, Yamls.documents("- {op: replace, path: /spec/replicas, value: 1}\n"
                + "- {op: replace, path: /spec/config/min.insync.replicas, value: 1}\n"
                + "- {op: add, path: /spec/list/-, value: c}\n"
                + "- {op: remove, path: /spec/config/retention.ms}\n"
                + "- {op: replace, path: /spec/missing, value: 1}\n").get(0), problems);
        assertEquals(yaml("spec:\n  replicas: 1\n  config: {min.insync.replicas: 1}\n  list: [a, b, c]\n"), target);
        assertEquals(List.of("JSON patch replace /spec/missing: no such field"), problems);
    }
}

package io.fleetdoctor.playbook.fix;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Canonical JSON, YAML and hashes of DaemonSet specs (key order never changes a hash). */
public final class SpecJson {
    private static final KubernetesSerialization K8S = new KubernetesSerialization();
    private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private SpecJson() {
    }

    public static String toJson(DaemonSetSpec spec) {
        return canonical(K8S.asJson(spec));
    }

    public static DaemonSetSpec fromJson(String json) {
        return K8S.unmarshal(json, DaemonSetSpec.class);
    }

    public static String toYaml(DaemonSetSpec spec) {
        return K8S.asYaml(spec);
    }

    public static DaemonSetSpec copy(DaemonSetSpec spec) {
        return fromJson(toJson(spec));
    }

    public static String hash(DaemonSetSpec spec) {
        return sha256(toJson(spec));
    }

    public static String canonical(String json) {
        try {
            Object tree = SORTED.readValue(json, Object.class);
            return SORTED.writeValueAsString(tree);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON", e);
        }
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

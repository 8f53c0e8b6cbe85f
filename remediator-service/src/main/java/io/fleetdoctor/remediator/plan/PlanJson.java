package io.fleetdoctor.remediator.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetdoctor.events.Decision;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.PlanCheck;

import java.util.List;

/** JSON columns of {@link PlanEntity}. */
public final class PlanJson {
    private static final ObjectMapper M = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private PlanJson() {
    }

    public static String write(Object o) {
        try {
            return M.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return M.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt plan column", e);
        }
    }

    public static List<DaemonSetChange> changes(PlanEntity p) {
        return read(p.changesJson, new TypeReference<List<DaemonSetChange>>() {
        });
    }

    public static List<PlanCheck> checks(PlanEntity p) {
        return read(p.checksJson, new TypeReference<List<PlanCheck>>() {
        });
    }

    public static List<Decision.Evidence> evidence(PlanEntity p) {
        return evidence(p.evidenceJson);
    }

    public static List<Decision.Evidence> evidence(String json) {
        return read(json, new TypeReference<List<Decision.Evidence>>() {
        });
    }

    public static Decision.Recommendation recommendation(PlanEntity p) {
        return read(p.recommendationJson, new TypeReference<Decision.Recommendation>() {
        });
    }

    public static List<String> strings(String json) {
        return read(json, new TypeReference<List<String>>() {
        });
    }
}

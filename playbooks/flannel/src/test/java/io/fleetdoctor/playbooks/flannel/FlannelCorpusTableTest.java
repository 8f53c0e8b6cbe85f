package io.fleetdoctor.playbooks.flannel;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fleetdoctor.events.Decision.Recommendation;
import io.fleetdoctor.fixtures.Fixtures;
import io.fleetdoctor.playbook.fix.BuiltPlan;
import io.fleetdoctor.playbook.fix.DaemonSetChange;
import io.fleetdoctor.playbook.fix.FixBuilder;
import io.fleetdoctor.playbook.fix.SpecJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The flannel fix on the manifests users run (fixtures/.../manifests, origins in fixtures/README.md): for each
 * corpus file and interface choice, the exact diff of every flannel DaemonSet (src/test/resources/corpus/ID.diff,
 * reviewed by hand) or the refusal with its reason, the update strategy and the owner. Every plan is also checked
 * against the rules: nothing the owner wrote is deleted, flanneld reads the new interface first, and a container's
 * image moves only to a version that has its program.
 */
class FlannelCorpusTableTest {
    static final String M = "manifests/";

    /**
     * @param refusal  the exact blockedReason of every DaemonSet's plan, or null when each has a plan
     * @param strategy every DaemonSet's update strategy
     * @param owner    the detected manager, or null
     * @param source   a line the owner's source change must hold (null without owner)
     */
    record Row(String id, String file, List<String> iface, String regex, String target, String refusal,
               String strategy, int daemonSets, String owner, String source) {
        @Override
        public String toString() {
            return id;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("v0.10.0-iface", M + "flannel-v0.10.0.yaml", List.of("eth0"), null, null, null,
                        "OnDelete", 1, null, null),
                new Row("v0.11.0-iface", M + "flannel-v0.11.0.yaml", List.of("eth0"), null, null, null,
                        "OnDelete", 5, null, null),
                new Row("v0.12.0-two-names", M + "flannel-v0.12.0.yaml", List.of("eth0", "bond0"), null, null, null,
                        "RollingUpdate", 5, null, null),
                new Row("v0.13.0-regex", M + "flannel-v0.13.0.yaml", List.of(), "^(eth0|ens3)$", null, null,
                        "RollingUpdate", 1, null, null),
                new Row("v0.13.1-rc1-iface", M + "flannel-v0.13.1-rc1.yaml", List.of("eth0"), null, null, null,
                        "RollingUpdate", 1, null, null),
                new Row("v0.20.2-iface", M + "flannel-v0.20.2.yaml", List.of("eth0"), null, null, null,
                        "RollingUpdate", 1, null, null),
                new Row("v0.28.9-older-target", M + "flannel-v0.28.9.yaml", List.of("eth0"), null,
                        "ghcr.io/flannel-io/flannel:v0.28.4", null, "RollingUpdate", 1, null, null),
                new Row("v0.28.9-foreign-target", M + "flannel-v0.28.9.yaml", List.of("eth0"), null,
                        "quay.io/coreos/flannel:v0.13.0",
                        "target-image-repository: target quay.io/coreos/flannel:v0.13.0 is not in the repository of"
                                + " ghcr.io/flannel-io/flannel:v0.28.9", "RollingUpdate", 1, null, null),
                new Row("chart-v0.28.9-iface", M + "flannel-chart-v0.28.9-rendered.yaml", List.of("eth0"), null, null,
                        null, "RollingUpdate", 1, FlannelOwnership.HELM, "  - \"--iface=eth0\""),
                new Row("kubespray-iface", M + "kubespray-cni-flannel.yaml", List.of("eth0"), null, null, null,
                        "RollingUpdate", 5, null, null),
                new Row("rke2-canal-iface", M + "rke2-canal-rendered.yaml", List.of("eth0"), null, null,
                        "binding-source: flanneld's interface in kube-system/rke2-canal may come from"
                                + " FLANNELD_IFACE=configMapKeyRef rke2-canal-config/canal_iface,"
                                + " FLANNELD_IFACE_REGEX=configMapKeyRef rke2-canal-config/canal_iface_regex:"
                                + " set the interface there, not with a flag",
                        "RollingUpdate", 1, FlannelOwnership.RKE2, "      iface: \"eth0\""),
                new Row("shell-wrapper-iface", M + "shell-wrapper-bash.yaml", List.of("eth0"), null, null, null,
                        "RollingUpdate", 1, null, null),
                new Row("shell-wrapper-regex", M + "shell-wrapper-bash.yaml", List.of(), "^eth0$", null,
                        "iface-order: flanneld in kube-system/kube-flannel-ds tries --iface=eth1 before any"
                                + " --iface-regex, so --iface-regex=^eth0$ would not be used; the plan does not delete"
                                + " them: remove them yourself or give interface names",
                        "RollingUpdate", 1, null, null));
    }

    final FlannelFixBuilder builder = new FlannelFixBuilder(FlannelSettings.defaults());

    static List<DaemonSet> daemonSets(String file) throws IOException {
        try (InputStream in = Fixtures.open(file)) {
            return FlannelManifests.daemonSets(FlannelManifests.read(in));
        }
    }

    /** The plan for one DaemonSet, as fix-preview and the remediator build it (one recommendation per DaemonSet). */
    BuiltPlan plan(DaemonSet ds, Row row) {
        Container flanneld = FlannelSpec.flanneldContainer(ds);
        String ns = ds.getMetadata().getNamespace();
        Recommendation rec = new Recommendation(Recommendation.FLANNEL_IFACE_FIX, ns,
                List.of(ds.getMetadata().getName()), flanneld.getName(), flanneld.getImage(), row.target(), row.iface(),
                row.regex(), List.of());
        return builder.build(new FixBuilder.Input(rec, List.of(new FixBuilder.LiveDaemonSet(ns,
                ds.getMetadata().getName(), "1", ds.getSpec(), ds.getMetadata().getLabels(),
                ds.getMetadata().getAnnotations())), Map.of(), Map.of(), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void thePlanOfEveryCorpusFile(Row row) throws IOException {
        List<DaemonSet> dss = daemonSets(row.file());
        assertEquals(row.daemonSets(), dss.size(), "flannel DaemonSets in " + row.file());
        StringBuilder diffs = new StringBuilder();
        for (DaemonSet ds : dss) {
            String ref = ds.getMetadata().getName();
            assertEquals(row.strategy(), FlannelManifests.updateStrategy(ds), ref);
            BuiltPlan p = plan(ds, row);
            assertEquals(row.refusal(), p.blockedReason(), ref);
            if (row.owner() == null) {
                assertNull(p.owner(), ref);
                assertTrue(p.liveExecutable());
            } else {
                assertEquals(row.owner(), p.owner().manager(), ref);
                assertTrue(p.owner().sourceChange().lines().anyMatch(row.source()::equals), p.owner().sourceChange());
                assertTrue(!p.liveExecutable());
            }
            if (row.refusal() != null) {
                // a refused plan may still show its diff for review, never with a refused image
                p.changes().forEach(c -> assertTrue(row.target() == null || !c.after().contains(row.target()), ref));
                continue;
            }
            assertEquals(1, p.changes().size(), ref);
            DaemonSetChange c = p.changes().get(0);
            assertEquals(row.strategy(), c.updateStrategy(), ref);
            obeysTheRules(ds.getSpec(), SpecJson.fromJson(c.after()), row, ref);
            diffs.append(c.diff());
        }
        if (row.refusal() == null) {
            assertEquals(expected(row.id(), diffs.toString()), diffs.toString(), row.id());
        }
    }

    /** Nothing the owner wrote is deleted; flanneld reads the new interface first; images only where supported. */
    static void obeysTheRules(DaemonSetSpec before, DaemonSetSpec after, Row row, String ref) {
        PodSpec b = before.getTemplate().getSpec();
        PodSpec a = after.getTemplate().getSpec();
        List<Container> bc = all(b);
        List<Container> ac = all(a);
        assertEquals(bc.size(), ac.size(), ref);
        for (int i = 0; i < bc.size(); i++) {
            Container x = bc.get(i);
            Container y = ac.get(i);
            assertEquals(x.getName(), y.getName());
            assertEquals(nn(x.getEnv()), nn(y.getEnv()), ref + "/" + x.getName() + ": env untouched");
            assertEquals(x.getEnvFrom(), y.getEnvFrom());
            List<String> wordsBefore = FlannelSpec.words(tokens(x));
            List<String> wordsAfter = FlannelSpec.words(tokens(y));
            assertTrue(isSubsequence(wordsBefore, wordsAfter), ref + "/" + x.getName() + ": " + wordsBefore
                    + " must stay, in order, in " + wordsAfter);
            if (!Objects.equals(x.getImage(), y.getImage())) {
                assertNull(FlannelImages.unsupported(y, y.getImage()), ref + "/" + y.getName());
            }
        }
        Container flanneld = FlannelSpec.flanneldContainer(a.getContainers(), null);
        FlannelSpec spec = FlannelSpec.of(flanneld);
        if (row.regex() != null) {
            assertEquals(row.regex(), spec.ifaceRegex().get(0), ref);
            assertTrue(spec.iface().isEmpty(), ref + ": no --iface would be tried before the regex");
        } else {
            assertEquals(row.iface(), spec.iface().subList(0, row.iface().size()), ref + ": tried first");
        }
    }

    static String expected(String id, String actual) throws IOException {
        try (InputStream in = FlannelCorpusTableTest.class.getResourceAsStream("/corpus/" + id + ".diff")) {
            if (in == null) {
                Path out = Path.of("target/corpus-actual/" + id + ".diff");
                Files.createDirectories(out.getParent());
                Files.writeString(out, actual);
                fail("no src/test/resources/corpus/" + id + ".diff: review " + out + " and copy it there");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyCorpusFileHasARow() {
        assertEquals(Fixtures.MANIFESTS.stream().sorted().toList(),
                rows().map(Row::file).distinct().sorted().toList());
    }

    private static boolean isSubsequence(List<String> small, List<String> big) {
        int j = 0;
        for (String s : big) {
            if (j < small.size() && small.get(j).equals(s)) {
                j++;
            }
        }
        return j == small.size();
    }

    private static List<String> tokens(Container c) {
        List<String> t = new ArrayList<>(nn(c.getCommand()));
        t.addAll(nn(c.getArgs()));
        return t;
    }

    private static List<Container> all(PodSpec p) {
        List<Container> out = new ArrayList<>(nn(p.getInitContainers()));
        out.addAll(nn(p.getContainers()));
        return out;
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }

}

package io.fleetdoctor.playbooks.flannel;

import io.fleetdoctor.fixtures.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./fleetdoctor fix-preview} on every corpus manifest (as files, as users run it) and on usage errors. */
class FixPreviewTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void files() {
        Fixtures.copyTo(dir);
    }

    /** Output and exit code of one run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FixPreview.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * @param lines lines the output must hold, each exactly
     */
    record Case(String file, List<String> args, int code, List<String> lines) {
        @Override
        public String toString() {
            return file + " " + String.join(" ", args);
        }
    }

    static Stream<Case> cases() {
        String onDelete = "rollout: OnDelete (extensions/v1beta1's default): the DaemonSet controller does not replace"
                + " pods; after approval fleetdoctor deletes the pods one node at a time, waits for each new pod to be"
                + " ready and stops on the first failure";
        return Stream.of(
                new Case("flannel-v0.10.0.yaml", List.of("--iface", "eth0"), 0, List.of(
                        "== kube-system/daemonset/kube-flannel-ds (extensions/v1beta1, updateStrategy OnDelete, flanneld"
                                + " in container kube-flannel, image quay.io/coreos/flannel:v0.10.0-amd64)",
                        onDelete, "+      - \"--iface=eth0\"")),
                new Case("flannel-v0.11.0.yaml", List.of("--iface=eth0"), 0, List.of(onDelete,
                        "--- a/kube-system/daemonset/kube-flannel-ds-s390x (resourceVersion file)")),
                new Case("flannel-v0.12.0.yaml", List.of("--iface", "eth0", "--iface", "bond0"), 0, List.of(
                        "rollout: RollingUpdate: the DaemonSet controller replaces the pods itself (maxUnavailable 1, the default)",
                        "+      - \"--iface=bond0\"")),
                new Case("flannel-v0.13.0.yaml", List.of(), 0, List.of(
                        "PLAN: nothing to change (the spec already is what the fix would make it)",
                        "  [ok] iface-unchanged: flannel already uses the cluster interface; its flags stay as they are")),
                new Case("flannel-v0.13.1-rc1.yaml", List.of("--iface", "eth0"), 0, List.of(
                        "  [ok] target-image-repository: quay.io/coreos/flannel:v0.13.1-rc1 → quay.io/coreos/flannel:v0.13.0",
                        "-      image: \"quay.io/coreos/flannel:v0.13.1-rc1\"",
                        "+      image: \"quay.io/coreos/flannel:v0.13.0\"")),
                new Case("flannel-v0.20.2.yaml", List.of("--iface-regex", "^(eth|ens)[0-9]+$"), 0, List.of(
                        "+      - \"--iface-regex=^(eth|ens)[0-9]+$\"")),
                new Case("flannel-v0.28.9.yaml", List.of("--iface", "eth0", "--target-image",
                        "ghcr.io/flannel-io/flannel:v0.28.4"), 0, List.of(
                        "  [ok] image-supports-command: install-cni in kube-flannel/kube-flannel-ds runs"
                                + " /opt/bin/install-conf, in flannel images since v0.28.6; v0.28.4 lacks it: its image"
                                + " stays ghcr.io/flannel-io/flannel:v0.28.9",
                        "+      image: \"ghcr.io/flannel-io/flannel:v0.28.4\"")),
                new Case("flannel-chart-v0.28.9-rendered.yaml", List.of("--iface", "eth0"), 0, List.of(
                        "owner: helm (app.kubernetes.io/managed-by=Helm): a live patch would be reverted; not executed"
                                + " live unless an admin overrides. Change at the source:",
                        "      - \"--iface=eth0\"")),
                new Case("kubespray-cni-flannel.yaml", List.of("--iface", "eth0"), 0, List.of(
                        "== kube-system/daemonset/kube-flannel (apps/v1, updateStrategy RollingUpdate, flanneld in"
                                + " container kube-flannel, image docker.io/flannel/flannel:v0.28.4)",
                        "rollout: RollingUpdate: the DaemonSet controller replaces the pods itself (maxUnavailable 20%)")),
                new Case("rke2-canal-rendered.yaml", List.of("--iface", "eth0"), 3, List.of(
                        "REFUSED: binding-source: flanneld's interface in kube-system/rke2-canal may come from"
                                + " FLANNELD_IFACE=configMapKeyRef rke2-canal-config/canal_iface,"
                                + " FLANNELD_IFACE_REGEX=configMapKeyRef rke2-canal-config/canal_iface_regex: set the"
                                + " interface there, not with a flag",
                        "    kind: HelmChartConfig", "          iface: \"eth0\"")),
                new Case("shell-wrapper-bash.yaml", List.of("--iface", "eth0"), 0, List.of(
                        "+        \\ 1; done; exec /opt/bin/flanneld --ip-masq --kube-subnet-mgr --iface=eth0\\")),
                new Case("shell-wrapper-bash.yaml", List.of("--iface-regex", "^eth0$"), 3, List.of(
                        "  [FAIL] iface-order: flanneld in kube-system/kube-flannel-ds tries --iface=eth1 before any"
                                + " --iface-regex, so --iface-regex=^eth0$ would not be used; the plan does not delete"
                                + " them: remove them yourself or give interface names")),
                new Case("flannel-v0.28.9.yaml", List.of("--target-image", "evil.example/flannel:v0.28.9"), 3, List.of(
                        "REFUSED: target-image-repository: target evil.example/flannel:v0.28.9 is not in the repository"
                                + " of ghcr.io/flannel-io/flannel:v0.28.9")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fixPreviewOnTheCorpus(Case c) {
        List<String> args = new ArrayList<>();
        args.add(dir.resolve("manifests").resolve(c.file()).toString());
        args.addAll(c.args());
        Run r = run(args.toArray(String[]::new));
        assertEquals(c.code(), r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        for (String want : c.lines()) {
            assertTrue(lines.contains(want), "missing line: " + want + "\n" + r.out());
        }
        assertTrue(r.err().isEmpty(), r.err());
        // removed lines before the added ones in every hunk
        for (int i = 1; i < lines.size(); i++) {
            assertTrue(!(lines.get(i - 1).startsWith("+ ") && lines.get(i).startsWith("- ")), r.out());
        }
    }

    @Test
    void everyCorpusFileIsPreviewed() {
        assertEquals(Fixtures.MANIFESTS.stream().map(m -> m.substring("manifests/".length())).sorted().toList(),
                cases().map(Case::file).distinct().sorted().toList());
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        String file = dir.resolve("manifests/flannel-v0.13.0.yaml").toString();
        record Bad(List<String> args, String message) {
        }
        for (Bad b : List.of(
                new Bad(List.of(), "fix-preview: FILE is missing"),
                new Bad(List.of(file, "--ifcae", "eth0"), "fix-preview: unknown flag --ifcae"),
                new Bad(List.of(dir.resolve("nope.yaml").toString()), "fix-preview: no such file: " + dir.resolve("nope.yaml")),
                new Bad(List.of(file, "--iface-regex", "(eth"), "fix-preview: --iface-regex is not a valid regex: Unclosed group"),
                new Bad(List.of(file, "--iface", "eth0; reboot"), "fix-preview: not an interface name: \"eth0; reboot\""),
                new Bad(List.of(file, "--iface", "averyveryverylongname0"), "fix-preview: not an interface name: \"averyveryverylongname0\""),
                new Bad(List.of(file, "--iface", "eth0", "--iface-regex", "^e"), "fix-preview: give --iface or --iface-regex, not both"),
                new Bad(List.of(file, "--target-image"), "fix-preview: --target-image needs a value"),
                new Bad(List.of(file, "--target-image", "flannel"), "fix-preview: --target-image must be an image with a tag (repository:tag), not \"flannel\""))) {
            Run r = run(b.args().toArray(String[]::new));
            assertEquals(2, r.code(), b.toString());
            assertEquals(b.message(), r.err().lines().findFirst().orElse(""), b.toString());
            assertTrue(r.err().contains("usage: fleetdoctor fix-preview FILE.yaml"), r.err());
        }
        Path notYaml = dir.resolve("notes.yaml");
        Files.writeString(notYaml, "a: b: c\n");
        Run r = run(notYaml.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("fix-preview: cannot read " + notYaml + " as Kubernetes YAML/JSON"), r.err());
    }

    @Test
    void aFileWithoutFlannelIsRefused() throws Exception {
        Path cm = dir.resolve("configmap.yaml");
        Files.writeString(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n");
        Run r = run(cm.toString(), "--iface", "eth0");
        assertEquals(3, r.code());
        assertTrue(r.out().startsWith("REFUSED: no flannel DaemonSet in " + cm), r.out());
    }
}

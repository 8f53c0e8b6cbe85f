package io.fleetdoctor.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No module's own packages depend on each other in a loop (see {@link PackageCycles}). */
class PackageCyclesTest {

    /**
     * The modules held to it. Not yet remediator-service: it has the cycles build -> inventory -> plan -> build
     * and execution <-> inventory, which are being removed; add it, and any new module, here.
     */
    static final List<String> MODULES = List.of(
            "analyzer-service", "collector-service", "events", "embedded-infra", "simulator", "local-run", "fixtures",
            "playbooks/api", "playbooks/flannel", "playbooks/flannel-oom", "remediator-service", "outbox");

    @Test
    void modulesHaveNoPackageCycles() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String module : MODULES) {
            Path sources = ProjectRoot.get().resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(sources), "no sources for module " + module + " at " + sources);
            PackageCycles.find(sources).forEach(c -> problems.add(module + ": " + c));
        }
        assertEquals(List.of(), problems, "package cycles:\n" + String.join("\n", problems));
    }

    @TempDir
    Path tmp;

    private void write(String path, String source) throws IOException {
        Path f = tmp.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, source);
    }

    @Test
    void findsACycleThroughImportsAndQualifiedNames() throws IOException {
        write("x/a/A.java", "package x.a;\nimport x.b.B;\npublic class A { B b; }\n");
        // a fully-qualified name without an import ties b to c, a static import of a nested type's member c to a
        write("x/b/B.java", "package x.b;\npublic class B { x.c.C c = new x.c.C(); }\n");
        write("x/c/C.java", "package x.c;\nimport static x.a.A.Inner.VALUE;\npublic class C { }\n");
        write("x/d/D.java", "package x.d;\nimport x.a.*;\npublic class D { }\n");
        List<PackageCycles.Cycle> cycles = PackageCycles.find(tmp);
        assertEquals(1, cycles.size(), cycles.toString());
        assertEquals(List.of("a", "b", "c"), cycles.get(0).packages());
        assertEquals("cycle [a, b, c]: a -> b (A.java), b -> c (B.java), c -> a (C.java)", cycles.get(0).toString());
    }

    @Test
    void findsEveryCycleOfAModule() throws IOException {
        write("x/a/A.java", "package x.a;\nimport x.b.B;\nclass A { }\n");
        write("x/b/B.java", "package x.b;\nimport x.a.A;\nclass B { }\n");
        write("x/c/C.java", "package x.c;\nimport x.d.*;\nclass C { }\n");
        write("x/d/D.java", "package x.d;\nclass D { x.c.C c; }\n");
        List<List<String>> cycles = PackageCycles.find(tmp).stream().map(PackageCycles.Cycle::packages)
                .sorted(Comparator.comparing(p -> p.get(0))).toList();
        assertEquals(List.of(List.of("a", "b"), List.of("c", "d")), cycles);
    }

    @Test
    void commentsStringsOtherModulesAndTheOwnPackageTieNothing() throws IOException {
        write("x/a/A.java", "package x.a;\n"
                + "import x.a.Other;\n"            // own package
                + "import java.util.List;\n"       // not a package of this module
                + "import y.b.Elsewhere;\n"        // another module's package
                + "/** See {@link x.b.B}. */\n"
                + "public class A {\n"
                + "  // x.b.B in a line comment\n"
                + "  /* import x.b.B; */\n"
                + "  String s = \"x.b.B\" + 'x' + \"\\\"x.b.B\";\n"
                + "  String t = \"\"\"\n    import x.b.B;\n    \"\"\";\n"
                + "  List<String> l = this.names.Foo;\n"
                + "}\n");
        write("x/b/B.java", "package x.b;\nimport x.a.A;\npublic class B { }\n");
        assertEquals(List.of(), PackageCycles.find(tmp));
    }

    @Test
    void theCommonPackageIsDot() throws IOException {
        write("x/X.java", "package x;\nimport x.a.A;\nclass X { }\n");
        write("x/a/A.java", "package x.a;\nclass A { x.X root; }\n");
        write("x/a/B.java", "package x.a;\nimport x.X;\nclass B { }\n");
        assertEquals("cycle [., a]: . -> a (X.java), a -> . (A.java, B.java)", PackageCycles.find(tmp).get(0).toString());
    }

    @Test
    void packageOfAQualifiedName() {
        assertEquals("io.fleetdoctor.analyzer.rules",
                PackageCycles.packageOfName("io.fleetdoctor.analyzer.rules.ClusterView.RestartIncrease"));
        assertEquals("a.b", PackageCycles.packageOfName("a.b.*"));
        assertEquals("a.b", PackageCycles.packageOfName("a.b.C.*"));
        assertEquals("a.b", PackageCycles.packageOfName("a.b.C.member"));
    }
}

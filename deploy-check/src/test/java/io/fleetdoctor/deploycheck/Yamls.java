package io.fleetdoctor.deploycheck;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** YAML reading: Jackson for Kubernetes documents, SnakeYAML (merge keys) for docker-compose.yml. */
final class Yamls {

    static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    static final ObjectMapper JSON = new ObjectMapper();

    private Yamls() {
    }

    /** Every non-empty document of a (multi-document) YAML text. Duplicate keys are an error. */
    static List<JsonNode> documents(String text) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
                .readValues(YAML.getFactory().createParser(text))) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    static List<JsonNode> documents(Path file) {
        return documents(read(file));
    }

    static JsonNode single(Path file) {
        List<JsonNode> docs = documents(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }

    /**
     * docker-compose.yml as compose itself sees it: SnakeYAML resolves anchors and {@code <<} merge keys,
     * which Jackson's YAML parser leaves unresolved.
     */
    static JsonNode compose(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object loaded = new Yaml(new SafeConstructor(options)).load(text);
        if (!(loaded instanceof Map)) {
            throw new IllegalArgumentException("compose file is not a mapping");
        }
        return JSON.valueToTree(loaded);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

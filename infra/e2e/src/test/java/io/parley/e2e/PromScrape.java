/*
 * PromScrape owns reading a Parley process's GET /metrics for the end-to-end tests: the text is
 * parsed by a third-party Prometheus text-format parser (npm parse-prometheus-text-format, run
 * with Node from src/test/node-metrics, installed by `npm ci` before the ITs), never by Parley's
 * own code, and offered as families of samples to sum and compare.
 */
package io.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.contracts.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One parsed scrape. */
final class PromScrape {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Family name -> the parser's family object ({name, type, metrics: [...]}). */
    final Map<String, JsonNode> families;
    final String text;

    private PromScrape(String text, Map<String, JsonNode> families) {
        this.text = text;
        this.families = families;
    }

    /** GETs {@code baseUrl}/metrics and parses it; fails on a non-200 or on a parse error. */
    static PromScrape of(String baseUrl) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError(baseUrl + "/metrics answered " + response.statusCode());
            }
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            if (!contentType.startsWith("text/plain")) {
                throw new AssertionError(baseUrl + "/metrics has Content-Type " + contentType);
            }
            return parse(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static PromScrape parse(String text) {
        Path dir = fixtureDir();
        try {
            Process node = new ProcessBuilder("node", "prom-parse.mjs").directory(dir.toFile()).start();
            try (var in = node.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = node.getInputStream().readAllBytes();
            String err = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!node.waitFor(60, TimeUnit.SECONDS) || node.exitValue() != 0) {
                throw new AssertionError("the Prometheus parser refused the exposition: " + err);
            }
            Map<String, JsonNode> families = new HashMap<>();
            for (JsonNode family : Json.MAPPER.readTree(out)) {
                families.put(family.path("name").asText(), family);
            }
            return new PromScrape(text, families);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run node (is Node.js installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The family's type as the parser read it (COUNTER, GAUGE, HISTOGRAM...); null if absent. */
    String type(String family) {
        JsonNode f = families.get(family);
        return f == null ? null : f.path("type").asText();
    }

    boolean has(String family) {
        return families.containsKey(family) && families.get(family).path("metrics").size() > 0;
    }

    /** The sum of the values of every sample of a counter/gauge family whose labels include {@code labels}. */
    double sum(String family, String... labels) {
        double total = 0;
        for (JsonNode metric : samples(family)) {
            if (matches(metric, labels)) {
                total += Double.parseDouble(metric.path("value").asText("0"));
            }
        }
        return total;
    }

    /**
     * The number of observations of a histogram family: its {@code le="+Inf"} bucket, which the
     * exposition format defines equal to {@code _count}. (parse-prometheus-text-format 1.1.1 keeps
     * a histogram's buckets but drops {@code _count} and {@code _sum} lines that carry labels, as
     * every Parley series does: {@code process}. Parley's histograms have one series per process.)
     */
    double histogramCount(String family) {
        return histogramBucket(family, "+Inf");
    }

    /** The summed cumulative count of bucket {@code le} of a histogram family. */
    double histogramBucket(String family, String le) {
        double total = 0;
        for (JsonNode metric : samples(family)) {
            JsonNode bucket = metric.path("buckets").path(le);
            if (!bucket.isMissingNode()) {
                total += Double.parseDouble(bucket.asText());
            }
        }
        return total;
    }

    private Iterable<JsonNode> samples(String family) {
        JsonNode f = families.get(family);
        if (f == null) {
            return java.util.List.of();
        }
        return () -> {
            Iterator<JsonNode> it = f.path("metrics").elements();
            return it;
        };
    }

    private static boolean matches(JsonNode metric, String... labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!labels[i + 1].equals(metric.path("labels").path(labels[i]).asText(null))) {
                return false;
            }
        }
        return true;
    }

    static Path fixtureDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("infra/e2e/src/test/node-metrics");
            if (Files.exists(candidate.resolve("package.json"))) {
                return candidate;
            }
            if (Files.exists(dir.resolve("src/test/node-metrics/package.json"))) {
                return dir.resolve("src/test/node-metrics");
            }
        }
        throw new IllegalStateException("infra/e2e/src/test/node-metrics not found from " + Path.of("").toAbsolutePath());
    }
}

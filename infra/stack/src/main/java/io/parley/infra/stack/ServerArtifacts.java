package io.parley.infra.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where the server artefacts are: the classpath descriptors written by the
 * {@code infra/servers/*} modules (absolute paths in the local Maven repository) and the JVM to
 * run them with.
 */
final class ServerArtifacts {
    private ServerArtifacts() {}

    /** The runtime classpath of a server module, e.g. {@code kafka-broker}. */
    static String classpath(String server) {
        String resource = "/parley/servers/" + server + ".classpath";
        try (InputStream in = ServerArtifacts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new StackException(resource + " is not on the classpath: build infra/servers/" + server + " first (mvn package)");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            List<String> missing = Arrays.stream(classpath.split(java.io.File.pathSeparator))
                    .filter(p -> !Files.exists(Path.of(p)))
                    .toList();
            if (!missing.isEmpty()) {
                throw new StackException("the " + server + " classpath names jars that are gone (rebuild with mvn package): " + missing.getFirst());
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java launcher of the JDK this process runs on. */
    static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** JVM flags that silence JDK 23+ warnings about sun.misc.Unsafe, and nothing on older JDKs. */
    static List<String> quietUnsafeFlags() {
        return Runtime.version().feature() >= 23 ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();
    }

    static void writeFile(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlbridge.client.blobs.BlobRef;
import dev.mlbridge.client.blobs.BlobStoreException;
import dev.mlbridge.client.blobs.DirectoryBlobStore;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.errors.BlobUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large payloads by reference (the claim check) between the Java client and a real runner sharing a
 * directory store, both with a 100 kB threshold: the Java side of test/integration/blobs.test.ts.
 */
class BlobsTest {
    static final long THRESHOLD = 100_000;
    static String requestTopic;
    static Path dir;
    static RunnerProcess runner;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RunnerProcess.available(), "no .venv/bin/python: run `npm run python:setup` first");
        requestTopic = "test.java.blobs." + UUID.randomUUID().toString().substring(0, 10);
        dir = Files.createTempDirectory("mlbridge-java-blobs");
        try (MlbridgeClient creating = MlbridgeClient.connect(options().build())) {
            // the request topic exists before the runner subscribes
        }
        runner = RunnerProcess.start(ClientTest.BROKERS, requestTopic, List.of(),
                Map.of("MLBRIDGE_BLOB_STORE", dir.toUri().toString(), "MLBRIDGE_BLOB_THRESHOLD_BYTES", String.valueOf(THRESHOLD)),
                Vectors.repo().resolve("test/fixtures/pipelines.py"));
    }

    static ClientOptions.Builder options() {
        return ClientOptions.builder().brokers(ClientTest.BROKERS).requestTopic(requestTopic).requestPartitions(4).typedCalls(false);
    }

    @AfterAll
    static void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
    }

    static Set<Path> blobs() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bodiesAboveTheThresholdTravelByReferenceBothWaysAndTheirBlobsAreDeleted() throws Exception {
        Set<Path> before = blobs();
        byte[] payload = new byte[300_000];
        new Random(7).nextBytes(payload);
        // 50 kB requests at most: only a reference fits, so the args went by reference.
        try (MlbridgeClient client = MlbridgeClient.connect(options().blobStore(dir.toUri().toString())
                .blobThresholdBytes(THRESHOLD).maxRequestBytes(50_000).build())) {
            Object echoed = client.invoke("echo", Map.of("value", payload)).get(60, TimeUnit.SECONDS);
            assertArrayEquals(payload, (byte[]) echoed);
            // Small ones stay inline.
            assertEquals("small", client.invoke("echo", Map.of("value", "small")).get(30, TimeUnit.SECONDS));
        }
        // The args blob (deleted when the call ended) and the result blob (deleted once read) are gone.
        JobsTest.waitFor(() -> before.containsAll(blobs()), 5000);
    }

    @Test
    void aResultByReferenceWithoutAStoreFailsSayingWhatToSet() throws Exception {
        try (MlbridgeClient client = MlbridgeClient.connect(options().build())) {
            BlobUnavailableException e = assertInstanceOf(BlobUnavailableException.class,
                    ClientTest.failure(client.invoke("echo", Map.of("value", new byte[200_000]))));
            assertEquals("BlobStoreUnreachable", e.remoteType());
            assertTrue(e.getMessage().contains("MLBRIDGE_BLOB_STORE"), e.getMessage());
        }
    }

    @Test
    void theDirectoryStoreRefusesMissingCorruptAndForeignBlobs() throws Exception {
        Path own = Files.createTempDirectory("mlbridge-java-store");
        DirectoryBlobStore store = new DirectoryBlobStore(own.toUri().toString());
        BlobRef ref = store.put("r-1.args", new byte[] {1, 2, 3}, WireSchemas.VALUE.ref());
        assertEquals(3, ref.size());
        assertEquals("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", ref.sha256());
        assertEquals(ref, BlobRef.decode(ref.encode()));
        assertArrayEquals(new byte[] {1, 2, 3}, store.get(ref));

        Files.write(own.resolve("r-1.args"), new byte[] {1, 2, 4});
        assertEquals("BlobCorrupt", assertThrows(BlobStoreException.class, () -> store.get(ref)).kind());
        Files.write(own.resolve("r-1.args"), new byte[] {1, 2});
        assertEquals("BlobCorrupt", assertThrows(BlobStoreException.class, () -> store.get(ref)).kind());
        store.delete(ref.uri());
        assertEquals("BlobMissing", assertThrows(BlobStoreException.class, () -> store.get(ref)).kind());
        BlobRef foreign = new BlobRef(Path.of("/etc/passwd").toUri().toString(), 10, ref.sha256(), ref.schema());
        assertEquals("BlobMissing", assertThrows(BlobStoreException.class, () -> store.get(foreign)).kind());
        assertThrows(IllegalArgumentException.class, () -> new DirectoryBlobStore("s3://bucket/prefix"));
    }
}

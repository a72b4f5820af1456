package dev.mlbridge.client;

import static dev.mlbridge.client.Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlbridge.client.codec.Framing;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.DType;
import dev.mlbridge.client.data.Tensor;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tensors and Arrow tables through a real runner serving test/fixtures/data_pipelines.py (numpy
 * and pyarrow on the runner's side): the Java counterpart of test/integration/data.test.ts.
 */
class DataClientTest {
    static String requestTopic;
    static RunnerProcess runner;
    static MlbridgeClient client;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RunnerProcess.available(), "no .venv/bin/python: run `npm run python:setup` first");
        requestTopic = "test.java.data." + UUID.randomUUID().toString().substring(0, 10);
        client = MlbridgeClient.connect(ClientOptions.builder().brokers(ClientTest.BROKERS).requestTopic(requestTopic).requestPartitions(4).build());
        runner = RunnerProcess.start(ClientTest.BROKERS, requestTopic, Vectors.repo().resolve("test/fixtures/data_pipelines.py"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (runner != null) {
            runner.close();
        }
    }

    static Object call(String pipeline, Map<String, ?> args) throws Exception {
        return client.invoke(pipeline, args).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aTensorArrivesAsANumpyArrayAndComesBackAsATensor() throws Exception {
        Tensor x = Tensor.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Map<?, ?> described = (Map<?, ?>) call("describe", Map.of("x", x));
        assertEquals("numpy.ndarray", described.get("type"));
        assertEquals("int32", described.get("dtype"));
        assertEquals(List.of(2L, 3L), described.get("shape"));
        assertEquals(21.0, described.get("sum"));

        Tensor transposed = assertInstanceOf(Tensor.class, call("transpose", Map.of("x", x)));
        assertEquals(DType.INT32, transposed.dtype());
        assertArrayEquals(new long[] {3, 2}, transposed.shape());
        assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6}, transposed.toIntArray());

        Tensor halves = Tensor.of(DType.FP16, new short[] {0x3c00, (short) 0xc000}, 2);
        assertEquals(halves, call("echo", Map.of("value", halves)));
        float[] big = new float[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f;
        }
        assertArrayEquals(big, ((Tensor) call("echo", Map.of("value", Tensor.of(big)))).toFloatArray());
    }

    @Test
    void anArrowTableArrivesAsAPyarrowTableAndTablesComeBackAsIpcStreams() throws Exception {
        // The first table of the shared vectors: 3 rows, nulls in every column but the bool one.
        byte[] frame = HEX.parseHex(DataVectorsTest.DATA.get("tables").get(0).get("hex").asText());
        ArrowTable table = (ArrowTable) ValueCodec.decode(Framing.unframe(WireSchemas.VALUE_V2, frame));
        Map<?, ?> info = (Map<?, ?>) call("table_info", Map.of("table", table));
        assertEquals("pyarrow.lib.Table", info.get("type"));
        assertEquals(List.of("f64", "i32", "s", "b"), info.get("columns"));

        Map<?, ?> mixed = (Map<?, ?>) call("mixed", Map.of("n", 3));
        assertEquals(3L, mixed.get("n"));
        Tensor tensor = (Tensor) mixed.get("tensor");
        assertArrayEquals(new long[] {3, 1}, tensor.shape());
        assertArrayEquals(new float[] {0, 1, 2}, tensor.toFloatArray());
        ArrowTable back = assertInstanceOf(ArrowTable.class, mixed.get("table"));
        // Round trip: the runner reads the stream it wrote.
        assertEquals(List.of("a"), ((Map<?, ?>) call("table_info", Map.of("table", back))).get("columns"));
    }

    @Test
    void aTypedTensorPipelineTakesATensorInAValue() throws Exception {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor scaled = assertInstanceOf(Tensor.class, call("typed_scale", Map.of("x", x, "factor", 2.0)));
        assertArrayEquals(new float[] {2, 4, 6}, scaled.toFloatArray());
    }
}

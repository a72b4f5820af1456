package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.codec.RequestEnvelope;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.WireSchemas;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

/** Rules of docs/protocol.md that no shared vector covers. */
class ProtocolTest {
    /** §3: the worked example, byte for byte. */
    @Test
    void theWorkedExampleOfTheProtocolDocumentIsExact() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("epochs", 5);
        byte[] body = ValueCodec.encode(args);
        assertEquals("0e020c65706f636873040a00", HexFormat.of().formatHex(body));
        byte[] request = Envelopes.encodeRequest(new RequestEnvelope("r-1", "train", body, WireSchemas.VALUE.ref(),
                "ml.pipeline.reply.c-1", 1764140000000L, 1, 1764139970000L, Map.of("idempotency-key", "k-1")));
        assertEquals(113, request.length);
        assertEquals("c301c6bdd8d6a1a66e4106722d310a747261696e180e020c65706f636873040a002c63726336343a30373164336537343663"
                + "3363613362632a6d6c2e706970656c696e652e7265706c792e632d31808c81efd76602a0b7fdeed766021e6964656d706f74656e"
                + "63792d6b6579066b2d3100", HexFormat.of().formatHex(request));
        byte[] reply = Envelopes.encodeReply(new ReplyEnvelope("r-1", ReplyEnvelope.Status.OK, ValueCodec.encode(6),
                WireSchemas.VALUE.ref(), null, null, "h/42/0a1b2c3d", new ReplyEnvelope.Timings(1764139970003L, 1764139970004L, 1764139970010L)));
        assertEquals(75, reply.length);
        assertEquals("c3015ff1ae2113d80b1306722d310004040c2c63726336343a3037316433653734366333636133626300001a682f34322f"
                + "3061316232633364a6b7fdeed766a8b7fdeed766b4b7fdeed766", HexFormat.of().formatHex(reply));
    }

    /**
     * §2: a key lands on the same partition from Java as from the TypeScript client (its
     * Murmur2Partitioner, which test/unit/murmur2-partitioner.test.ts checks against kafkajs): the
     * expected partitions were computed with it, for 12 and 7 partitions.
     */
    @Test
    void keysLandOnTheSamePartitionsAsFromTheTypeScriptClient() {
        Object[][] expected = {
            {"", 9, 2}, {"a", 4, 5}, {"abc", 3, 4}, {"idempotency-key-1", 5, 4}, {"naïve café", 9, 0},
            {"日本語のキー", 2, 0}, {"0b7e6a8c-5f8e-4c1d-9a51-2f0e4c8d9b11", 8, 6}, {"k-42", 2, 1},
        };
        for (Object[] row : expected) {
            byte[] key = ((String) row[0]).getBytes(StandardCharsets.UTF_8);
            assertEquals(row[1], BuiltInPartitioner.partitionForKey(key, 12), (String) row[0]);
            assertEquals(row[2], BuiltInPartitioner.partitionForKey(key, 7), (String) row[0]);
        }
    }
}

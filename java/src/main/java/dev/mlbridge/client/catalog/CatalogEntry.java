package dev.mlbridge.client.catalog;

import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.WireSchemas;
import org.apache.avro.generic.GenericRecord;

/**
 * One pipeline version as a runner published it on the catalogue topic ({@code schemas/catalog.avsc},
 * key {@code pipeline/<name>/<version>}; docs/typed-contract.md §3).
 *
 * @param typed        whether the pipeline has schemas of its own (else it takes and returns the generic Value)
 * @param argsSchema   the args record's Avro JSON (typed only)
 * @param resultSchema the result's Avro JSON (typed only)
 * @param timeoutMs    the pipeline's own time limit, or null
 * @param lane         {@code CALL} or {@code JOB}: where the runner serves it
 */
public record CatalogEntry(
        String kind,
        String name,
        int version,
        String doc,
        boolean typed,
        String argsRef,
        String argsSchema,
        String resultRef,
        String resultSchema,
        Long timeoutMs,
        String runner,
        long publishedAtMs,
        String lane) {

    /** A catalogue record's value (single-object framed). */
    public static CatalogEntry decode(byte[] value) {
        GenericRecord r = Envelopes.read(WireSchemas.CATALOG, value);
        return new CatalogEntry(r.get("kind").toString(), str(r, "name"), (Integer) r.get("version"), str(r, "doc"),
                (Boolean) r.get("typed"), str(r, "argsRef"), str(r, "argsSchema"), str(r, "resultRef"), str(r, "resultSchema"),
                (Long) r.get("timeoutMs"), str(r, "runner"), (Long) r.get("publishedAtMs"), r.get("lane").toString());
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }
}

package org.territorypotential.ingest;

import org.territorypotential.lake.Contract;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One input as an adapter read it, before validation. {@code rows} has the contract's columns
 * as raw values (strings; geometry as WKT string or WKB binary) plus the columns named in
 * {@link Validation}: {@code _source_file}, {@code _source_row}, {@code _raw_record},
 * {@code _adapter_reason} (a reason to quarantine found by the adapter, or null) and
 * {@code _excluded_reason} (the row is out of scope for this contract, e.g. a charging station
 * that is not a dealer: counted, not quarantined). Extra columns are kept only for contracts
 * whose measures are an open set (demographics).
 */
public record RawInput(Contract contract, String location, Dataset<Row> rows) {}

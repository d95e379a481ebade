package org.territorypotential.ingest;

import java.util.List;
import java.util.Map;
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
 *
 * @param sourceNames contract field -> the column as the file names it (e.g. model_year ->
 *     "Model Year"), so that a quarantine reason names what the user can find in the file; a field
 *     not listed is named as in the contract
 * @param ignoredColumns columns of the file that the adapter does not read and does not expect
 *     (an adapter's documented unused columns are not listed): warned about once per run, by name
 * @param encoding the charset the file was decoded with (reasons for undecodable bytes name it)
 */
public record RawInput(Contract contract, String location, Dataset<Row> rows, Map<String, String> sourceNames,
    List<String> ignoredColumns, String encoding) {
  public RawInput(Contract contract, String location, Dataset<Row> rows) {
    this(contract, location, rows, Map.of(), List.of(), "UTF-8");
  }

  /** The column {@code field} as the file names it. */
  public String label(String field) {
    return sourceNames.getOrDefault(field, field);
  }

  public RawInput withRows(Dataset<Row> newRows) {
    return new RawInput(contract, location, newRows, sourceNames, ignoredColumns, encoding);
  }
}

package org.territorypotential.lake;

import java.util.List;
import java.util.Optional;

/**
 * An input contract: the canonical shape of one input (docs/data-contracts.md). {@code key} is
 * the column that must be unique within one ingest; null when rows have a composite key given
 * by {@code keyColumns}.
 */
public record Contract(String input, String description, List<String> keyColumns, List<Field> fields) {

  public Optional<Field> field(String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public List<String> names() {
    return fields.stream().map(Field::name).toList();
  }

  public List<String> requiredNames() {
    return fields.stream().filter(Field::required).map(Field::name).toList();
  }
}

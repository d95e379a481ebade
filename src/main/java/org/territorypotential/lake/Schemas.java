package org.territorypotential.lake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Comparing a frame's schema with a table's declared one: names and types, in order; nullability and comments aside. */
public final class Schemas {
  private Schemas() {}

  /**
   * What differs between {@code declared} and {@code actual}, one line per column (empty when they
   * agree): missing columns, unexpected ones (unless {@code extraAllowed}), other types, another order.
   */
  public static List<String> differences(StructType declared, StructType actual, boolean extraAllowed) {
    Map<String, DataType> want = new LinkedHashMap<>();
    for (StructField f : declared.fields()) {
      want.put(f.name(), f.dataType());
    }
    Map<String, DataType> got = new LinkedHashMap<>();
    for (StructField f : actual.fields()) {
      got.put(f.name(), f.dataType());
    }
    List<String> out = new ArrayList<>();
    want.forEach((n, type) -> {
      if (!got.containsKey(n)) {
        out.add("missing column " + n + " " + type.simpleString());
      } else if (!sameType(type, got.get(n))) {
        out.add("column " + n + " is " + got.get(n).simpleString() + ", declared " + type.simpleString());
      }
    });
    if (!extraAllowed) {
      got.keySet().stream().filter(n -> !want.containsKey(n)).forEach(n -> out.add("unexpected column " + n + " "
          + got.get(n).simpleString()));
    }
    List<String> gotDeclared = got.keySet().stream().filter(want::containsKey).toList();
    if (out.isEmpty() && !List.copyOf(want.keySet()).equals(gotDeclared)) {
      out.add("columns in another order: declared " + want.keySet() + ", got " + got.keySet());
    }
    return out;
  }

  /** Types equal when nullability of nested fields and metadata are set aside. */
  static boolean sameType(DataType a, DataType b) {
    return a.sameType(b);
  }
}

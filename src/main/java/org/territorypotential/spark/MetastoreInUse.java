package org.territorypotential.spark;

/**
 * The embedded Derby metastore under the lakehouse is open in another process (serve-sql, or a
 * job still running): Derby admits one process per database. Raised before Spark starts, so the
 * command fails with one line instead of Derby's boot errors.
 */
public final class MetastoreInUse extends RuntimeException {
  public MetastoreInUse(String message) {
    super(message);
  }
}

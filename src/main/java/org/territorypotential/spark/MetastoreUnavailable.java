package org.territorypotential.spark;

/**
 * The lakehouse's shared metastore service (LocalMetastore) could not be found or started, or an
 * external metastore's schema could not be created (MetastoreSchema). Raised before Spark starts, so
 * the command fails with one line naming the cause (and the service's log).
 */
public final class MetastoreUnavailable extends RuntimeException {
  public MetastoreUnavailable(String message) {
    super(message);
  }
}

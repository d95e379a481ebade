package org.territorypotential.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.hive.conf.HiveConf;
import org.apache.hadoop.hive.metastore.MetaStoreSchemaInfo;
import org.apache.hadoop.hive.metastore.ObjectStore;

/**
 * Creates an external Hive metastore's schema (every table and foreign key) on an empty JDBC
 * database, e.g. PostgreSQL, from what Spark's jars carry: Hive's JDO mapping ({@code package.jdo} in
 * the hive-metastore 2.3.9 jar), given to DataNucleus' schema creation all at once, then records
 * Hive's schema version (VERSION) so the service can run with {@code
 * hive.metastore.schema.verification = true}. Stands in for Hive's {@code schematool -initSchema},
 * whose SQL scripts ship only in Hive's binary distribution. Needed on PostgreSQL: the service's own
 * lazy creation ({@code datanucleus.schema.autoCreateAll}) deadlocks the first CREATE TABLE there
 * (docs/metastore.md). Running it again on an existing schema adds only what is missing.
 */
public final class MetastoreSchema {
  private MetastoreSchema() {}

  /** What was done: the classes mapped, and the schema version found or recorded. */
  public record Created(int classes, String version, boolean recorded) {}

  /** Creates the schema on {@code jdbcUrl} (its JDBC driver on the classpath) as {@code user}. */
  public static Created create(String jdbcUrl, String user, String password) {
    String driver;
    try {
      driver = DriverManager.getDriver(jdbcUrl).getClass().getName();
    } catch (SQLException e) {
      throw new MetastoreUnavailable("no JDBC driver on the classpath accepts " + jdbcUrl
          + " (PostgreSQL: org.postgresql:postgresql, docs/metastore.md)");
    }
    // one line when the database cannot be reached, not DataNucleus' pages of stack traces
    try (java.sql.Connection ignored = DriverManager.getConnection(jdbcUrl, user, password)) {
      // reachable
    } catch (SQLException e) {
      throw new MetastoreUnavailable("cannot connect to " + jdbcUrl + " as " + user + ": " + e.getMessage());
    }
    HiveConf conf = new HiveConf();
    conf.set("javax.jdo.option.ConnectionURL", jdbcUrl);
    conf.set("javax.jdo.option.ConnectionDriverName", driver);
    conf.set("javax.jdo.option.ConnectionUserName", user);
    conf.set("javax.jdo.option.ConnectionPassword", password);
    conf.set("hive.metastore.schema.verification", "false");
    conf.set("hive.metastore.schema.verification.record.version", "true");
    conf.set("datanucleus.schema.autoCreateAll", "false");
    Set<String> classes = modelClasses();
    // DataNucleus with the settings Hive's ObjectStore gives it (naming, value strategies,
    // pooling), so the tables are named as the service expects; creation on for this step only
    Properties props = new Properties();
    for (Map.Entry<String, String> e : conf) {
      if (e.getKey().contains("datanucleus") || e.getKey().contains("jdo")) {
        props.setProperty(e.getKey(), conf.get(e.getKey()));
      }
    }
    props.setProperty("javax.jdo.PersistenceManagerFactoryClass", "org.datanucleus.api.jdo.JDOPersistenceManagerFactory");
    props.setProperty("datanucleus.schema.autoCreateAll", "true");
    var pmf = (org.datanucleus.api.jdo.JDOPersistenceManagerFactory) javax.jdo.JDOHelper.getPersistenceManagerFactory(props);
    try {
      ((org.datanucleus.store.schema.SchemaAwareStoreManager) pmf.getNucleusContext().getStoreManager())
          .createSchemaForClasses(classes, new Properties());
    } finally {
      pmf.close();
    }
    // the version, through Hive's own store, now that every table exists
    ObjectStore store = new ObjectStore();
    store.setConf(conf);
    try {
      String found = version(store);
      if (found != null) {
        return new Created(classes.size(), found, false);
      }
      String version = MetaStoreSchemaInfo.getHiveSchemaVersion();
      store.setMetaStoreSchemaVersion(version, "Hive release version " + version + " (tp metastore init-schema)");
      return new Created(classes.size(), version, true);
    } catch (org.apache.hadoop.hive.metastore.api.MetaException e) {
      throw new MetastoreUnavailable("could not record the metastore schema version on " + jdbcUrl + ": " + e.getMessage());
    } finally {
      store.shutdown();
    }
  }

  private static String version(ObjectStore store) {
    try {
      return store.getMetaStoreSchemaVersion();
    } catch (org.apache.hadoop.hive.metastore.api.MetaException e) {
      return null; // none recorded yet
    }
  }

  /** Every persistent class of Hive's JDO mapping, read from package.jdo in the hive-metastore jar. */
  static Set<String> modelClasses() {
    String jdo;
    try (InputStream in = ObjectStore.class.getClassLoader().getResourceAsStream("package.jdo")) {
      if (in == null) {
        throw new MetastoreUnavailable("package.jdo (Hive's JDO mapping, in the hive-metastore jar) is not on the classpath");
      }
      jdo = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MetastoreUnavailable("cannot read package.jdo: " + e.getMessage());
    }
    Set<String> classes = new LinkedHashSet<>();
    Matcher pkg = Pattern.compile("<package\\s+name=\"([\\w.]+)\"").matcher(jdo);
    while (pkg.find()) {
      int end = jdo.indexOf("</package>", pkg.end());
      Matcher cls = Pattern.compile("<class\\s+name=\"(\\w+)\"").matcher(jdo.substring(pkg.end(), end < 0 ? jdo.length() : end));
      while (cls.find()) {
        classes.add(pkg.group(1) + "." + cls.group(1));
      }
    }
    if (classes.isEmpty()) {
      throw new MetastoreUnavailable("package.jdo names no persistent class");
    }
    return classes;
  }
}

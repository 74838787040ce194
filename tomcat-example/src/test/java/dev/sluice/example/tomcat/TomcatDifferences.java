package dev.sluice.example.tomcat;

/**
 * What the relay contract meets on Tomcat 11 that it does not meet on Jetty, as the reasons the
 * contract ITs give for the tests they skip. Each is in the report of issue #4.
 */
final class TomcatDifferences {
  private TomcatDifferences() {}
}

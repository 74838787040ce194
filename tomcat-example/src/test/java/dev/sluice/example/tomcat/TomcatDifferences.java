package dev.sluice.example.tomcat;

/**
 * What the relay contract meets on Tomcat 11 that it does not meet on Jetty, as the reasons the
 * contract ITs give for the tests they skip. Each is in the report of issue #4.
 */
final class TomcatDifferences {
  private TomcatDifferences() {}

  /**
   * filter-core: the JDK HttpClient's SelectorManager thread outlives the filter. On JDK 17
   * HttpClient has no close(); the thread is started during filter init, so it inherits the web
   * app's class loader as its context class loader, and Tomcat reports it at every undeploy.
   */
  static final String HTTP_CLIENT_THREAD_LEFT =
      "filter-core leak on undeploy: SluiceFilter.destroy() leaves the JDK HttpClient's "
          + "'HttpClient-N-SelectorManager' thread running (JDK 17 has no HttpClient.close()); "
          + "it was started during init with the web app's class loader as context class "
          + "loader, so Tomcat warns 'The web application [...] appears to have started a thread "
          + "named [HttpClient-1-SelectorManager] but has failed to stop it' and the class loader "
          + "stays pinned until the client is collected. Seen on every real-Tomcat stop too. "
          + "See report.";
}

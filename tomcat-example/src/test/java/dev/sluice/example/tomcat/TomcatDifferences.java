package dev.sluice.example.tomcat;

/**
 * What the relay contract meets on Tomcat 11 that it does not meet on Jetty, as the reasons the
 * contract ITs give for the tests they skip. Each is in the report of issue #4.
 */
final class TomcatDifferences {
  private TomcatDifferences() {}

  /**
   * filter-core bug: Exchange.respondLocally calls startWriter() (setWriteListener) before it
   * queues the error body. On Tomcat, setWriteListener from a non-container thread runs
   * onWritePossible at once on the calling thread (Response.setWriteListener → DISPATCH_EXECUTE →
   * AbstractProcessor.executeDispatches → processSocket(..., dispatch=false)); the exchange lock
   * is re-entrant, so drain() finds nothing pending, sees upstreamDone and completes the
   * exchange. The client gets the status line and Content-Length but never the body.
   */
  static final String LOCAL_ERROR_BODY_LOST =
      "filter-core bug on Tomcat: a 502/504 Sluice answers itself after startAsync (unreachable "
          + "or silent upstream) sends its status and Content-Length but never its body, so the "
          + "client waits forever. Tomcat runs WriteListener.onWritePossible synchronously inside "
          + "setWriteListener when called off a container thread; Exchange.respondLocally calls "
          + "startWriter() before queueing the body, so the re-entrant drain() completes the "
          + "exchange with nothing written. Repro: TomcatTrapsIT.localErrorAfterStartAsync_*. "
          + "See report.";

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

package dev.sluice.upstream;

import java.time.Duration;

/** The transport contract with the JDK client's callbacks on a pool (jdk-executor=pool). */
class JdkPoolExecutorTest extends TransportContract {
  @Override
  protected UpstreamTransport create(Duration connectTimeout) {
    return JdkHttpTransport.create(connectTimeout, JdkHttpTransport.ExecutorKind.POOL);
  }

  @Override
  protected boolean addsOwnUserAgent() {
    return true;
  }
}

package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {
  private static HttpServletRequest request(Map<String, List<String>> headers) {
    HttpServletRequest r = mock(HttpServletRequest.class);
    when(r.getHeaderNames()).thenAnswer(i -> Collections.enumeration(headers.keySet()));
    when(r.getHeaders(org.mockito.ArgumentMatchers.anyString())).thenAnswer(i -> {
      String name = i.getArgument(0);
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return Collections.enumeration(e.getValue());
        }
      }
      return Collections.emptyEnumeration();
    });
    return r;
  }

  @Test
  void apiKeySetting_replacesEveryInboundCredential() {
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("X-Api-Key", List.of("client"));
    h.put("Authorization", List.of("Bearer client"));
    h.put("anthropic-version", List.of("2023-06-01"));
    List<Map.Entry<String, String>> out = HeaderRules.toUpstream(request(h), "server");
    assertThat(out).containsExactly(Map.entry("anthropic-version", "2023-06-01"),
        Map.entry("accept-encoding", "identity"), Map.entry("x-api-key", "server"));
  }

  @Test
  void connectionListedNames_droppedBothWays() {
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("Connection", List.of("close, X-Secret-Hop"));
    h.put("X-Secret-Hop", List.of("1"));
    h.put("anthropic-beta", List.of("a", "b"));
    assertThat(HeaderRules.toUpstream(request(h), "")).containsExactly(
        Map.entry("anthropic-beta", "a"), Map.entry("anthropic-beta", "b"),
        Map.entry("accept-encoding", "identity"));

    HttpServletResponse response = mock(HttpServletResponse.class);
    List<Map.Entry<String, String>> upstream = new ArrayList<>(List.of(
        Map.entry("connection", "x-upstream-hop"), Map.entry("x-upstream-hop", "1"),
        Map.entry("set-cookie", "a=b"), Map.entry("transfer-encoding", "chunked"),
        Map.entry("retry-after", "7"), Map.entry("content-length", "12"),
        Map.entry("anthropic-ratelimit-requests-limit", "1"), Map.entry("via", "a"),
        Map.entry("via", "b")));
    HeaderRules.toClient(upstream, response);
    verify(response).setHeader("retry-after", "7");
    verify(response).setHeader("anthropic-ratelimit-requests-limit", "1");
    verify(response).setContentLengthLong(12);
    verify(response).setHeader("via", "a");
    verify(response).addHeader("via", "b");
    verify(response, never()).setHeader(org.mockito.ArgumentMatchers.eq("x-upstream-hop"),
        org.mockito.ArgumentMatchers.anyString());
    verify(response, never()).setHeader(org.mockito.ArgumentMatchers.eq("set-cookie"),
        org.mockito.ArgumentMatchers.anyString());
    verify(response, never()).setHeader(org.mockito.ArgumentMatchers.eq("transfer-encoding"),
        org.mockito.ArgumentMatchers.anyString());
  }

  @Test
  void invalidLines_namedWithoutTheirValue() {
    assertThat(HeaderRules.invalidLine(List.of(Map.entry("x-ok", "a\tb é")))).isNull();
    assertThat(HeaderRules.invalidLine(List.of(Map.entry("x-ok", "1"),
        Map.entry("x-api-key", "sk-secret\r\nx-injected: 1"))))
        .isEqualTo("'x-api-key' (its value holds CR, LF or NUL)");
    assertThat(HeaderRules.invalidLine(List.of(Map.entry("x-a\nx-injected", "1"))))
        .isEqualTo("a header name with characters outside an HTTP token");
    assertThat(HeaderRules.invalidLine(List.of(Map.entry("", "1")))).isNotNull();
    assertThat(HeaderRules.invalidLine(List.of(Map.entry("x", "a\u0000")))).isNotNull();
  }

  @Test
  void upstreamLinesWithCrLf_neverRelayedToTheClient() {
    HttpServletResponse response = mock(HttpServletResponse.class);
    HeaderRules.toClient(List.of(Map.entry("x-bad", "a\r\nset-cookie: s=1"),
        Map.entry("x-a b", "1"), Map.entry("x-good", "1")), response);
    verify(response).setHeader("x-good", "1");
    verify(response, never()).setHeader(org.mockito.ArgumentMatchers.eq("x-bad"),
        org.mockito.ArgumentMatchers.anyString());
    verify(response, never()).setHeader(org.mockito.ArgumentMatchers.eq("x-a b"),
        org.mockito.ArgumentMatchers.anyString());
  }

  @Test
  void secrets_recognised() {
    assertThat(dev.sluice.hook.Headers.isCredential("Authorization")).isTrue();
    assertThat(dev.sluice.hook.Headers.isCredential("x-api-key")).isTrue();
    assertThat(dev.sluice.hook.Headers.isCredential("Cookie")).isTrue();
    assertThat(dev.sluice.hook.Headers.isCredential("anthropic-beta")).isFalse();
  }
}

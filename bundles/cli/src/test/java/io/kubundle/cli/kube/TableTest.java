package io.kubundle.cli.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class TableTest {
    private static final String TABLE = """
            {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"7"},
             "columnDefinitions":[
               {"name":"Name","type":"string","format":"name","priority":0},
               {"name":"Ready","type":"string","format":"","priority":0},
               {"name":"Up-to-date","type":"integer","format":"","priority":0},
               {"name":"Age","type":"string","format":"","priority":0},
               {"name":"Images","type":"string","format":"","priority":1}],
             "rows":[
               {"cells":["nginx-deployment","0/2",0,"5m","nginx:1.7.7"],"object":{"metadata":{"name":"nginx-deployment","namespace":"default"}}},
               {"cells":["w","1/1",1,"12d",null],"object":{"metadata":{"name":"w","namespace":"kube-system"}}}]}
            """;

    private static List<String> print(TableRows rows, JsonNode table) {
        List<List<String>> lines = new ArrayList<>();
        lines.add(rows.header(table));
        lines.addAll(rows.rows(table));
        return new ColumnAligner().align(lines);
    }

    @Test
    void printsLikeKubectl() throws Exception {
        JsonNode table = new ObjectMapper().readTree(TABLE);
        assertEquals(List.of(
                "NAME               READY   UP-TO-DATE   AGE",
                "nginx-deployment   0/2     0            5m",
                "w                  1/1     1            12d"), print(new TableRows(false, false, ""), table));
    }

    @Test
    void wideShowsEveryColumnAndAllNamespacesTheNamespace() throws Exception {
        JsonNode table = new ObjectMapper().readTree(TABLE);
        assertEquals(List.of(
                "NAMESPACE     NAME                               READY   UP-TO-DATE   AGE   IMAGES",
                "default       deployment.apps/nginx-deployment   0/2     0            5m    nginx:1.7.7",
                "kube-system   deployment.apps/w                  1/1     1            12d   <none>"),
                print(new TableRows(true, true, "deployment.apps/"), table));
    }

    @Test
    void narrowColumnsAreSixWideAndWidthsAreRemembered() {
        ColumnAligner aligner = new ColumnAligner();
        assertEquals(List.of("A     B", "abc   d"), aligner.align(List.of(List.of("A", "B"), List.of("abc", "d"))));
        // a later, narrower row keeps the widths; a wider one widens the column from then on
        assertEquals(List.of("x     y"), aligner.align(List.of(List.of("x", "y"))));
        assertEquals(List.of("longer-name   z"), aligner.align(List.of(List.of("longer-name", "z"))));
        assertEquals(List.of("x" + " ".repeat(13) + "y"), aligner.align(List.of(List.of("x", "y"))));
    }

    @Test
    void watchEventsWithoutDefinitionsUseTheFirstColumns() throws Exception {
        ObjectMapper json = new ObjectMapper();
        TableRows rows = new TableRows(false, false, "");
        rows.header(json.readTree(TABLE));
        JsonNode event = json.readTree("""
                {"kind":"Table","columnDefinitions":[],"rows":[{"cells":["n","2/2",2,"1s","img"]}]}""");
        assertEquals(List.of(List.of("n", "2/2", "2", "1s")), rows.rows(event));
    }

    @Test
    void describeTextAlignsLikeGosTabWriter() {
        // a line without a tab ends a run of aligned lines
        assertEquals("""
                Name:    web
                Labels:  app=web
                         tier=front
                Containers:
                  nginx:
                    Image:  nginx
                    Port:   80/TCP
                Events:     <none>
                """, TabWriter.align("Name:\tweb\nLabels:\tapp=web\n\ttier=front\nContainers:\n  nginx:\n    Image:\tnginx\n"
                        + "    Port:\t80/TCP\nEvents:\t<none>\n"));
        assertEquals("A:   1\nBB:  2", TabWriter.align("A:\t1\nBB:\t2"));
    }

    @Test
    void agesAreShortHumanDurations() {
        assertEquals("45s", Ages.human(java.time.Duration.ofSeconds(45)));
        assertEquals("3m20s", Ages.human(java.time.Duration.ofSeconds(200)));
        assertEquals("15m", Ages.human(java.time.Duration.ofMinutes(15)));
        assertEquals("5h10m", Ages.human(java.time.Duration.ofMinutes(310)));
        assertEquals("12d", Ages.human(java.time.Duration.ofDays(12)));
    }
}

package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class PatchesTest {
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode tree(String text) throws Exception {
        return json.readTree(text.replace('\'', '"'));
    }

    @Test
    void mergePatchFollowsRfc7386() throws Exception {
        JsonNode target = tree("{'a':'b','c':{'d':'e','f':'g'},'list':[1,2]}");
        JsonNode patch = tree("{'a':'z','c':{'f':null,'h':'i'},'list':[3]}");
        assertEquals(tree("{'a':'z','c':{'d':'e','h':'i'},'list':[3]}"), MergePatch.apply(target, patch));
        assertEquals(tree("{'a':'b','c':{'d':'e','f':'g'},'list':[1,2]}"), target, "the target is not changed");
    }

    @Test
    void jsonPatchAppliesEveryOperation() throws Exception {
        JsonNode target = tree("{'metadata':{'labels':{'app':'nginx'}},'spec':{'containers':[{'name':'a'}]}}");
        JsonNode patch = tree("[{'op':'add','path':'/metadata/labels/tier','value':'web'},"
                + "{'op':'replace','path':'/metadata/labels/app','value':'web'},"
                + "{'op':'add','path':'/spec/containers/-','value':{'name':'b'}},"
                + "{'op':'copy','from':'/metadata/labels/tier','path':'/metadata/labels/copied'},"
                + "{'op':'move','from':'/metadata/labels/copied','path':'/metadata/labels/moved'},"
                + "{'op':'remove','path':'/spec/containers/0'},"
                + "{'op':'test','path':'/spec/containers/0/name','value':'b'}]");
        assertEquals(tree("{'metadata':{'labels':{'app':'web','tier':'web','moved':'web'}},'spec':{'containers':[{'name':'b'}]}}"),
                JsonPatch.apply(target, patch));
    }

    @Test
    void aFailingJsonPatchChangesNothingAndSaysWhy() throws Exception {
        JsonNode target = tree("{'a':1}");
        ApiException missing = assertThrows(ApiException.class,
                () -> JsonPatch.apply(target, tree("[{'op':'add','path':'/b','value':2},{'op':'remove','path':'/nope'}]")));
        assertEquals(422, missing.code());
        assertEquals(tree("{'a':1}"), target);
        ApiException test = assertThrows(ApiException.class, () -> JsonPatch.apply(target, tree("[{'op':'test','path':'/a','value':2}]")));
        assertEquals("Invalid", test.reason());
        assertEquals(400, assertThrows(ApiException.class, () -> JsonPatch.apply(target, tree("{'op':'add'}"))).code());
    }
}

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

    @Test
    void strategicMergeMergesListsByTheirKeysAndDropsDirectives() throws Exception {
        JsonNode deployment = tree("{'metadata':{'finalizers':['a']},'spec':{'template':{'spec':{'containers':["
                + "{'name':'web','image':'nginx:1.7.9','ports':[{'containerPort':80}]},{'name':'side','image':'busybox'}]}}}}");
        // what kubectl set image sends
        JsonNode setImage = tree("{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'},{'name':'side'}],"
                + "'containers':[{'image':'nginx:1.9.1','name':'web'}]}}}}");
        JsonNode patched = StrategicMergePatch.apply(deployment, setImage);
        assertEquals(tree("{'metadata':{'finalizers':['a']},'spec':{'template':{'spec':{'containers':["
                + "{'name':'web','image':'nginx:1.9.1','ports':[{'containerPort':80}]},{'name':'side','image':'busybox'}]}}}}"), patched);

        JsonNode more = tree("{'metadata':{'finalizers':['b','a']},'spec':{'template':{'spec':{'containers':["
                + "{'name':'side','$patch':'delete'},{'name':'new','image':'x','ports':[{'containerPort':81}]}]}}}}");
        assertEquals(tree("{'metadata':{'finalizers':['a','b']},'spec':{'template':{'spec':{'containers':["
                + "{'name':'web','image':'nginx:1.9.1','ports':[{'containerPort':80}]},{'name':'new','image':'x','ports':[{'containerPort':81}]}]}}}}"),
                StrategicMergePatch.apply(patched, more));

        JsonNode primitive = tree("{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}");
        assertEquals(tree("[]"), StrategicMergePatch.apply(deployment, primitive).at("/metadata/finalizers"));
    }

    @Test
    void servicePortsMergeByPortAndOtherListsAreReplaced() throws Exception {
        JsonNode service = tree("{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443}],'externalIPs':['1.2.3.4']}}");
        JsonNode patch = tree("{'spec':{'ports':[{'port':80,'targetPort':9090}],'externalIPs':['5.6.7.8']}}");
        assertEquals(tree("{'spec':{'ports':[{'port':80,'targetPort':9090},{'port':443}],'externalIPs':['5.6.7.8']}}"),
                StrategicMergePatch.apply(service, patch));
    }
}

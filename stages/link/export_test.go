package link

// EncodeDoc is encodeDoc, for the tests of package link_test.
var EncodeDoc = encodeDoc

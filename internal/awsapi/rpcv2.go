package awsapi

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/openpca/openpca/internal/authz"
)

// Smithy RPC v2 CBOR (smithy.protocols#rpcv2Cbor): a request declares the
// protocol in a header and names service and operation in the path.
const (
	hdrSmithyProtocol = "Smithy-Protocol"
	rpcv2CBORName     = "rpc-v2-cbor"
)

// isRPCv2 says whether the request declares rpcv2Cbor. The header alone
// decides the answer's shape: that is what the client will parse.
func isRPCv2(r *http.Request) bool {
	return r.Header.Get(hdrSmithyProtocol) == rpcv2CBORName
}

// rpcv2Path splits ".../service/{Service}/operation/{Operation}"; the spec
// lets an endpoint put a prefix before it.
func rpcv2Path(path string) (service, operation string, ok bool) {
	parts := strings.Split(path, "/")
	n := len(parts)
	if n < 5 || parts[n-4] != "service" || parts[n-2] != "operation" || parts[n-3] == "" || parts[n-1] == "" {
		return "", "", false
	}
	return parts[n-3], parts[n-1], true
}

func (s *Server) serveRPCv2(x *exchange, caller *authz.Caller, body []byte) {
	path := x.r.URL.Path
	service, name, ok := rpcv2Path(path)
	op, found := x.svc.Operations[name]
	switch {
	case x.svc.RPCv2CBOR == "":
		x.fail(unknownOperation(http.StatusBadRequest, "The service does not accept the rpc-v2-cbor protocol."))
		return
	case !ok || service != x.svc.RPCv2CBOR || !found:
		x.fail(unknownOperation(http.StatusBadRequest, "Unknown operation: '"+truncate(path)+"'."))
		return
	case x.r.Method != http.MethodPost:
		x.fail(unknownOperation(http.StatusBadRequest, "rpc-v2-cbor requests must use POST, not "+truncate(x.r.Method)+"."))
		return
	}
	x.operation = op.Name
	in := reflect.New(op.in)
	if e := decodeCBOR(body, in); e != nil {
		x.fail(e)
		return
	}
	s.validateAndCall(x, op, caller, in, func(out reflect.Value) { s.writeCBOR(x, out) })
}

func (s *Server) writeCBOR(x *exchange, out reflect.Value) {
	b, err := encodeCBOR(out)
	if err != nil {
		s.cfg.Logger.Error("awsapi: encoding output failed", "request_id", x.id, "operation", x.operation, "error", err.Error())
		x.fail(internalError(x.proto))
		return
	}
	x.w.Header().Set(hdrSmithyProtocol, rpcv2CBORName)
	writeBody(x.w, ctCBOR, b)
}

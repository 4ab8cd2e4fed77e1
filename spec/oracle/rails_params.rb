# Rails' own request parameters, as a test oracle: Debian 12's actionpack 6.1 over rack 2.2 (the
# gems Redmine 5.0.4 runs on), behind Rack::MethodOverride as in Redmine's middleware stack, with
# Redmine's XML params parser. Each stdin line is a JSON request {"method", "content_type" (or
# null), "override" (X-HTTP-Method-Override, or null), "body" (base64), "query"}; each stdout line is
# {"status": 200, "method": ..., "request": {...}, "query": {...}} or {"status": 400|406|500}.
require "json"
require "base64"
require "stringio"
require "action_dispatch"
require "action_controller"
require "action_pack/xml_parser"
ActionPack::XmlParser.register

def scrub(s)
  s && s.dup.force_encoding(Encoding::UTF_8).scrub
end

def plain(v)
  case v
  when ActionDispatch::Http::UploadedFile
    { "filename" => scrub(v.original_filename), "type" => scrub(v.content_type), "head" => scrub(v.headers) }
  when Hash then v.to_h { |k, x| [k.to_s, plain(x)] }
  when Array then v.map { |x| plain(x) }
  else v
  end
end

STDOUT.sync = true
STDIN.each_line do |line|
  r = JSON.parse(line)
  body = Base64.decode64(r["body"])
  env = {
    "REQUEST_METHOD" => r["method"], "PATH_INFO" => "/x", "QUERY_STRING" => r["query"],
    "CONTENT_LENGTH" => body.bytesize.to_s, "rack.input" => StringIO.new(body), "rack.errors" => StringIO.new,
  }
  env["CONTENT_TYPE"] = r["content_type"] if r["content_type"]
  env["HTTP_X_HTTP_METHOD_OVERRIDE"] = r["override"] if r["override"]
  out = begin
    Rack::MethodOverride.new(->(e) { env = e; [200, {}, []] }).call(env)
    req = ActionDispatch::Request.new(env)
    request = begin
      req.request_parameters
    rescue EOFError
      {}
    end
    { "status" => 200, "method" => env["REQUEST_METHOD"], "request" => plain(request),
      "query" => plain(req.query_parameters) }
  rescue ActionController::BadRequest, ActionDispatch::Http::Parameters::ParseError
    { "status" => 400 }
  rescue ActionDispatch::Http::MimeNegotiation::InvalidType
    { "status" => 406 }
  rescue StandardError, SystemCallError
    { "status" => 500 }
  end
  puts JSON.generate(out)
end

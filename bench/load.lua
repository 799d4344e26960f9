-- Alternate between the home page and a guide page.
local paths = { "/", "/guides/giving-feedback/" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

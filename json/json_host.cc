// The one translation unit of the build that compiles Boost.JSON's implementation (header-only
// mode). Every target that parses or writes JSON links lc::json and includes <boost/json.hpp>
// only; a second copy of src.hpp anywhere would make the linker see every symbol twice.
#include <boost/json/src.hpp>

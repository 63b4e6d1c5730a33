import Hummingbird
import TocsinAPI

// The API's answers are returned by handlers as they are; the context's encoder
// (``TocsinResponseEncoder``) writes them as JSON.

extension IncidentResource: ResponseEncodable {}
extension IncidentListResource: ResponseEncodable {}
extension IncidentDetailResource: ResponseEncodable {}
extension IncidentCommandResultResource: ResponseEncodable {}
extension DeliveryResource: ResponseEncodable {}
extension DeliveryListResource: ResponseEncodable {}
extension OnCallResource: ResponseEncodable {}
extension OnCallTimelineResource: ResponseEncodable {}
extension OverrideResource: ResponseEncodable {}
extension OverrideListResource: ResponseEncodable {}
extension DrillRunResource: ResponseEncodable {}
extension DrillListResource: ResponseEncodable {}
extension IngestResultResource: ResponseEncodable {}
extension ReloadResource: ResponseEncodable {}
extension HealthResource: ResponseEncodable {}
extension ErrorResource: ResponseEncodable {}
extension HeartbeatResource: ResponseEncodable {}
extension HeartbeatListResource: ResponseEncodable {}
extension PagerDutyEventResultResource: ResponseEncodable {}
extension PagerDutyInvalidEventResource: ResponseEncodable {}
extension NoteResultResource: ResponseEncodable {}
extension MaintenanceWindowResource: ResponseEncodable {}
extension MaintenanceListResource: ResponseEncodable {}

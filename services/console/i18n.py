"""The console's words in Vietnamese (the default) and English, and how times are shown.

Every message lives in one table keyed by a stable id, each with both languages, so a page
never shows a half-translated sentence; `Translator` picks the language of the request.
"""

import logging
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from shared.vocabulary import KIND_NAMES, STAGE_NAMES, UNIT_NAMES

log = logging.getLogger(__name__)

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "vi"
LANGUAGE_COOKIE = "tinbao_lang"
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

MESSAGES: dict[str, tuple[str, str]] = {
    # Layout
    "app.name": ("tinbao — Tin báo", "tinbao — Tips"),
    "app.tagline": (
        "Tiếp nhận và theo dõi tin báo về vi phạm liên quan đến mại dâm",
        "Receiving and following tips about prostitution-related violations",
    ),
    "nav.home": ("Trang chủ", "Home"),
    "nav.submit": ("Gửi tin báo", "Send a tip"),
    "nav.track": ("Theo dõi tin báo", "Follow a tip"),
    "nav.staff_login": ("Cán bộ đăng nhập", "Staff sign-in"),
    "nav.queue": ("Vụ việc của tôi", "My cases"),
    "nav.hotline": ("Tổng đài", "Hotline"),
    "nav.dashboard": ("Theo dõi thời hạn", "SLA dashboard"),
    "nav.sign_out": ("Đăng xuất", "Sign out"),
    "nav.signed_in_as": ("Đang đăng nhập: {username} ({role})", "Signed in: {username} ({role})"),
    "lang.other": ("English", "Tiếng Việt"),
    "footer.privacy": (
        "Bạn có thể báo tin nặc danh. Không lưu địa chỉ IP; thông tin liên hệ chỉ được lưu khi "
        "bạn đồng ý và được mã hoá.",
        "You may report anonymously. No IP address is stored; contact details are kept only "
        "with your consent, encrypted.",
    ),
    "footer.emergency": (
        "Khẩn cấp, có người đang gặp nguy hiểm: gọi ngay 113.",
        "Emergency, someone in danger now: call 113.",
    ),
    # Home
    "home.title": ("Tin báo", "Tips"),
    "home.lead": (
        "Mọi tố giác, tin báo, khiếu nại đều được tiếp nhận, xác minh, phân loại và xử lý kịp "
        "thời.",
        "Every tip, report and complaint is received, verified, classified and handled on time.",
    ),
    "home.submit_text": (
        "Báo một sự việc bạn thấy: chỉ cần mô tả, không cần cho biết tên.",
        "Report something you saw: just describe it, no name needed.",
    ),
    "home.track_text": (
        "Xem tiến độ và trả lời câu hỏi của đơn vị xử lý bằng mã theo dõi và mã bí mật.",
        "See the progress and answer the unit's questions with your tracking code and secret.",
    ),
    "home.staff_text": (
        "Cán bộ công an, văn hoá - xã hội, tổng đài viên, lãnh đạo và giám sát.",
        "Police and culture-social officers, hotline operators, supervisors and monitors.",
    ),
    "home.staff_links": ("Trang làm việc của bạn", "Your pages"),
    "home.admin_note": (
        "Tài khoản quản trị được dùng tổng đài; quản lý tài khoản làm bằng dòng lệnh.",
        "Admin accounts may use the hotline page; accounts are managed with the command line.",
    ),
    # Citizen: submit
    "tip.new.title": ("Gửi tin báo", "Send a tip"),
    "tip.new.lead": (
        "Hãy mô tả điều bạn biết: việc gì, ở đâu, khi nào. Bạn không cần cho biết tên.",
        "Describe what you know: what, where, when. You do not need to give your name.",
    ),
    "tip.kind.legend": ("Bạn muốn báo điều gì?", "What do you want to report?"),
    "tip.kind.hint.crime_denunciation": (
        "Bạn biết một hành vi có thể là tội phạm (chứa, môi giới, tổ chức mại dâm, mua bán người…)",
        "You know of conduct that may be a crime (harbouring, procuring, trafficking…)",
    ),
    "tip.kind.hint.crime_report": (
        "Cơ quan, tổ chức, báo chí báo tin về tội phạm",
        "An organisation or the media reports a possible crime",
    ),
    "tip.kind.hint.denunciation": (
        "Cơ quan, cán bộ hoặc cơ sở kinh doanh vi phạm pháp luật",
        "An agency, an official or a business breaks the law",
    ),
    "tip.kind.hint.complaint": (
        "Bạn không đồng ý với một quyết định hành chính liên quan đến bạn",
        "You contest an administrative decision that affects you",
    ),
    "tip.kind.hint.petition": (
        "Đề xuất, đề nghị với chính quyền (ví dụ tổ chức tuyên truyền)",
        "A proposal or request to the authority (e.g. prevention talks)",
    ),
    "tip.kind.hint.feedback": (
        "Một tình trạng cần được chú ý (ví dụ quán có dấu hiệu đáng ngờ)",
        "A situation that needs attention (e.g. a suspicious venue)",
    ),
    "tip.text.label": ("Nội dung", "What happened"),
    "tip.text.hint": (
        "Ít nhất 10 ký tự. Việc gì đã xảy ra, có ai liên quan, diễn ra thường xuyên không.",
        "At least 10 characters. What happened, who is involved, how often.",
    ),
    "tip.address.label": ("Địa chỉ, nơi xảy ra", "Address, where"),
    "tip.address.hint": (
        "Ví dụ: Ngõ 12 Quang Trung, phường Yên Nghĩa, Hà Nội",
        "E.g. Ngõ 12 Quang Trung, Yên Nghĩa ward, Hà Nội",
    ),
    "tip.ward.label": ("Mã phường/xã (nếu biết)", "Ward code (if known)"),
    "tip.ward.hint": ("5 chữ số, ví dụ 09562", "5 digits, e.g. 09562"),
    "tip.venue.label": ("Tên cơ sở, quán (nếu có)", "Name of the venue (if any)"),
    "tip.when.label": ("Thời gian xảy ra (nếu biết)", "When it happened (if known)"),
    "tip.more.legend": ("Thêm chi tiết (không bắt buộc)", "More details (optional)"),
    "tip.contact.legend": ("Liên hệ (không bắt buộc)", "Contact (optional)"),
    "tip.contact.explain": (
        "Để trống nếu bạn muốn nặc danh. Nếu để lại, thông tin được mã hoá và chỉ đơn vị xử lý "
        "được xem.",
        "Leave empty to stay anonymous. If given, it is encrypted and only the handling unit "
        "sees it.",
    ),
    "tip.contact.consent": (
        "Tôi đồng ý để đơn vị xử lý liên hệ với tôi",
        "I agree that the handling unit may contact me",
    ),
    "tip.contact.name": ("Họ tên", "Name"),
    "tip.contact.phone": ("Số điện thoại", "Phone"),
    "tip.contact.email": ("Email", "E-mail"),
    "tip.photo.label": ("Ảnh (một ảnh, tối đa 3 MB)", "Photo (one, at most 3 MB)"),
    "tip.photo.hint": ("JPEG, PNG hoặc WebP.", "JPEG, PNG or WebP."),
    "tip.photo.again": (
        "Nếu bạn đã chọn ảnh, hãy chọn lại trước khi gửi.",
        "If you chose a photo, choose it again before sending.",
    ),
    "tip.submit": ("Gửi tin báo", "Send the tip"),
    "tip.errors.title": ("Chưa gửi được — hãy sửa:", "Not sent yet — please correct:"),
    "tip.error.kind": ("Hãy chọn loại tin báo.", "Choose what you are reporting."),
    "tip.error.consent": (
        "Hãy đánh dấu đồng ý để lưu thông tin liên hệ, hoặc xoá các ô liên hệ để nặc danh.",
        "Tick the consent box to leave contact details, or clear them to stay anonymous.",
    ),
    "tip.error.when": (
        "Thời gian không hợp lệ; hãy chọn ngày và giờ.",
        "Invalid date and time; pick a date and a time.",
    ),
    "tip.error.photo_type": (
        "Ảnh phải là JPEG, PNG hoặc WebP.",
        "The photo must be a JPEG, PNG or WebP image.",
    ),
    "tip.error.photo_size": (
        "Ảnh quá lớn: tối đa 3 MB; hãy thu nhỏ ảnh.",
        "The photo is too large: at most 3 MB.",
    ),
    # Citizen: receipt
    "tip.done.title": ("Đã tiếp nhận tin báo", "Your tip was received"),
    "tip.done.code": ("Mã theo dõi", "Tracking code"),
    "tip.done.secret": ("Mã bí mật", "Secret"),
    "tip.done.warning_vi": (
        "Hãy ghi lại hoặc chụp lại CẢ HAI mã này ngay bây giờ. Mã bí mật chỉ hiện một lần và "
        "không ai có thể cấp lại. Đừng đưa mã cho người khác: ai có hai mã đều xem được tiến độ.",
        "Hãy ghi lại hoặc chụp lại CẢ HAI mã này ngay bây giờ. Mã bí mật chỉ hiện một lần và "
        "không ai có thể cấp lại. Đừng đưa mã cho người khác: ai có hai mã đều xem được tiến độ.",
    ),
    "tip.done.warning_en": (
        "Write down or photograph BOTH codes now. The secret is shown only once and nobody can "
        "issue it again. Do not share them: anyone with both codes can follow the tip.",
        "Write down or photograph BOTH codes now. The secret is shown only once and nobody can "
        "issue it again. Do not share them: anyone with both codes can follow the tip.",
    ),
    "tip.done.received_at": ("Thời điểm tiếp nhận", "Received at"),
    "tip.done.track": ("Xem tiến độ", "See the progress"),
    "tip.done.forget": (
        "Tôi đã ghi lại — xoá mã khỏi trình duyệt này",
        "I have noted them — remove them from this browser",
    ),
    # Citizen: follow
    "track.title": ("Theo dõi tin báo", "Follow your tip"),
    "track.lead": (
        "Nhập mã theo dõi và mã bí mật bạn nhận được khi gửi tin.",
        "Enter the tracking code and the secret you were given when you sent the tip.",
    ),
    "track.code": ("Mã theo dõi", "Tracking code"),
    "track.secret": ("Mã bí mật", "Secret"),
    "track.button": ("Xem tiến độ", "Show progress"),
    "track.stage": ("Giai đoạn hiện tại", "Current stage"),
    "track.kind": ("Loại tin", "Kind"),
    "track.unit": ("Đơn vị xử lý", "Handling unit"),
    "track.ward": ("Phường/xã", "Ward"),
    "track.received": ("Tiếp nhận lúc", "Received"),
    "track.updated": ("Cập nhật lúc", "Updated"),
    "track.timeline": ("Các bước đã qua", "Steps so far"),
    "track.not_yet": ("Chưa xác định", "Not yet known"),
    "track.messages": ("Trao đổi với đơn vị xử lý", "Messages with the handling unit"),
    "track.open_questions": (
        "Đơn vị xử lý có {count} câu hỏi chờ bạn trả lời.",
        "The handling unit has {count} question(s) waiting for your answer.",
    ),
    "track.no_messages": ("Chưa có trao đổi nào.", "No messages yet."),
    "track.from_unit": ("Đơn vị xử lý hỏi", "The unit asks"),
    "track.from_you": ("Bạn đã gửi", "You sent"),
    "track.reply": ("Trả lời câu hỏi này", "Answer this question"),
    "track.reply_button": ("Gửi trả lời", "Send the answer"),
    "track.add_info": ("Bổ sung thông tin", "Add information"),
    "track.add_info_button": ("Gửi bổ sung", "Send"),
    "track.sent": ("Đã gửi. Đơn vị xử lý sẽ nhận được.", "Sent. The handling unit will get it."),
    "track.forget": ("Thoát và xoá mã khỏi trình duyệt này", "Leave and remove the codes"),
    "track.forgotten": (
        "Đã xoá mã khỏi trình duyệt này. Hãy giữ mã ở nơi an toàn.",
        "The codes were removed from this browser. Keep them somewhere safe.",
    ),
    "track.too_many": (
        "Đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
        "Too many wrong tries. Please try again in 15 minutes.",
    ),
    # Staff sign-in
    "login.title": ("Cán bộ đăng nhập", "Staff sign-in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.button": ("Đăng nhập", "Sign in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "login.required": ("Hãy đăng nhập để tiếp tục.", "Please sign in to continue."),
    "login.expired": (
        "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.",
        "Your session has expired; please sign in again.",
    ),
    "login.welcome": ("Xin chào, {username}.", "Welcome, {username}."),
    "login.signed_out": ("Đã đăng xuất.", "Signed out."),
    # Hotline
    "hotline.title": ("Tổng đài — ghi nhận cuộc gọi", "Hotline — record a call"),
    "hotline.lead": (
        "Ghi lại nội dung trong khi nghe; đọc mã theo dõi và mã bí mật cho người gọi trước khi "
        "kết thúc.",
        "Type while you listen; read the tracking code and the secret to the caller before "
        "hanging up.",
    ),
    "hotline.call_started": ("Cuộc gọi bắt đầu lúc", "Call started at"),
    "hotline.caller_number": ("Số người gọi (nếu hiện)", "Caller's number (if shown)"),
    "hotline.caller_consents": (
        "Người gọi đồng ý để đơn vị xử lý gọi lại",
        "The caller agrees to be called back",
    ),
    "hotline.kind": ("Loại tin", "Kind"),
    "hotline.submit": ("Ghi nhận", "Record"),
    "hotline.done": ("Đã ghi nhận. Đọc cho người gọi:", "Recorded. Read to the caller:"),
    "hotline.earlier": (
        "Số này đã báo {count} tin trước đây.",
        "This number has reported {count} earlier tip(s).",
    ),
    "hotline.first_time": ("Lần đầu số này báo tin.", "First tip from this number."),
    "hotline.next": ("Cuộc gọi tiếp theo", "Next call"),
    # Queue
    "queue.title": ("Vụ việc của tôi", "My cases"),
    "queue.lead": (
        "Khẩn cấp trước, sau đó đến hạn gần nhất.",
        "Urgent first, then the nearest deadline.",
    ),
    "queue.scope": ("Phường/xã {ward} — {unit}", "Ward {ward} — {unit}"),
    "queue.count": ("{count} vụ việc", "{count} case(s)"),
    "queue.empty": ("Không có vụ việc nào.", "No cases."),
    "queue.filter.priority": ("Mức độ", "Priority"),
    "queue.filter.all": ("Tất cả", "All"),
    "queue.filter.include_handled": ("Gồm cả vụ việc đã xử lý", "Include handled cases"),
    "queue.filter.button": ("Lọc", "Filter"),
    "queue.find": ("Tìm theo mã theo dõi", "Find by tracking code"),
    "queue.find.button": ("Tìm", "Find"),
    "queue.find.none": (
        "Không có vụ việc mang mã này trong phạm vi của bạn.",
        "No case with this code in your scope.",
    ),
    "queue.open": ("Mở", "Open"),
    "queue.more": ("Trang sau", "Next page"),
    "queue.previous": ("Trang trước", "Previous page"),
    "col.codes": ("Mã theo dõi", "Tracking codes"),
    "col.category": ("Lĩnh vực", "Category"),
    "col.kind": ("Loại", "Kind"),
    "col.priority": ("Mức độ", "Priority"),
    "col.status": ("Trạng thái", "Status"),
    "col.stage": ("Giai đoạn", "Stage"),
    "col.sla": ("Thời hạn", "Deadline"),
    "col.opened": ("Mở lúc", "Opened"),
    "col.tips": ("Số tin", "Tips"),
    "col.ward": ("Phường/xã", "Ward"),
    "col.unit": ("Đơn vị", "Unit"),
    "col.due": ("Hạn", "Due"),
    "col.case": ("Vụ việc", "Case"),
    # SLA words
    "sla.on_time": ("đúng hạn", "on track"),
    "sla.warning": ("sắp đến hạn", "warning"),
    "sla.breached": ("quá hạn", "breached"),
    "sla.paused": ("tạm dừng", "paused"),
    "sla.pending": ("chưa bắt đầu", "not started"),
    "sla.met": ("xong đúng hạn", "done on time"),
    "sla.late": ("xong trễ hạn", "done late"),
    "sla.cancelled": ("đã huỷ (gộp)", "cancelled (merged)"),
    "sla.left": ("còn {duration}", "{duration} left"),
    "sla.over": ("quá {duration}", "{duration} over"),
    "sla.no_deadline": ("không có hạn đang chạy", "no running deadline"),
    "sla.extended": ("gia hạn {days} ngày", "extended {days} day(s)"),
    "duration.days": ("{days} ngày {hours} giờ", "{days} d {hours} h"),
    "duration.hours": ("{hours} giờ {minutes} phút", "{hours} h {minutes} min"),
    "duration.minutes": ("{minutes} phút", "{minutes} min"),
    # Case page
    "case.title": ("Vụ việc", "Case"),
    "case.back": ("← Vụ việc của tôi", "← My cases"),
    "case.version_label": ("Phiên bản", "Version"),
    "case.unit": ("Đơn vị chủ trì", "Lead unit"),
    "case.co_handlers": ("Đơn vị phối hợp", "Co-handlers"),
    "case.assignee": ("Cán bộ thụ lý", "Assignee"),
    "case.assignee.me": ("Tôi", "Me"),
    "case.assignee.other": ("Cán bộ khác", "Another officer"),
    "case.assignee.none": ("Chưa có", "Nobody yet"),
    "case.confidence": ("Độ tin cậy phân loại tự động", "Automatic classification confidence"),
    "case.reasons": ("Lý do", "Reasons"),
    "case.results": ("Kết quả đã ghi", "Recorded results"),
    "case.tips": ("Các tin báo trong vụ việc", "Tips in this case"),
    "case.tip.channel": ("Kênh", "Channel"),
    "case.tip.address": ("Địa chỉ", "Address"),
    "case.tip.venue": ("Cơ sở", "Venue"),
    "case.tip.received": ("Tiếp nhận", "Received"),
    "case.linked": ("Vụ việc liên quan", "Linked cases"),
    "case.linked.merged_in": ("Đã gộp vào đây từ", "Merged in from"),
    "case.linked.merged_into": ("Đã gộp vào", "Merged into"),
    "case.linked.split": ("Đã tách sang", "Split out to"),
    "case.linked.split_from": ("Tách ra từ", "Split from"),
    "case.linked.none": ("Không có.", "None."),
    "case.timeline": ("Diễn biến", "Timeline"),
    "case.clocks": ("Thời hạn từng giai đoạn", "Stage deadlines"),
    "case.clocks.none": (
        "Chưa có thời hạn (đang khởi tạo).",
        "No deadlines yet (being set up).",
    ),
    "case.followups": ("Trao đổi với người báo tin", "Conversation with tipsters"),
    "case.followup.to": ("Hỏi người báo tin", "Asked the tipster"),
    "case.followup.from": ("Người báo tin trả lời", "The tipster wrote"),
    "case.actions": ("Thao tác", "Actions"),
    "case.done": ("Đã ghi: {action}.", "Recorded: {action}."),
    "case.conflict": (
        "Không có gì bị ghi đè. Trang đã tải lại bản mới nhất; hãy kiểm tra rồi thao tác lại.",
        "Nothing was overwritten. This page now shows the latest version; check it and try again.",
    ),
    "case.refused": ("Chưa ghi được thao tác.", "The action was not recorded."),
    "case.internal_note": ("(chỉ nội bộ)", "(internal only)"),
    "case.field.ward_hint": ("5 chữ số", "5 digits"),
    "case.field.choose": ("— chọn —", "— choose —"),
    "case.field.tip": ("Tin báo", "Tip"),
    "case.field.days": ("Số ngày (1–60)", "Days (1–60)"),
    # Action names
    "action.claim": ("Nhận xử lý", "Claim"),
    "action.verify": ("Xác minh", "Verify"),
    "action.classify": ("Phân loại", "Classify"),
    "action.handle": ("Ghi kết quả xử lý", "Record handling"),
    "action.transfer": ("Chuyển", "Transfer"),
    "action.reopen": ("Mở lại", "Reopen"),
    "action.note": ("Ghi chú nội bộ", "Internal note"),
    "action.question": ("Hỏi người báo tin", "Ask the tipster"),
    "action.extend": ("Gia hạn", "Extend a deadline"),
    "action.suspend": ("Tạm đình chỉ", "Suspend"),
    "action.resume": ("Phục hồi", "Resume"),
    "action.opened": ("Mở vụ việc", "Case opened"),
    "action.assigned": ("Phân công", "Assigned"),
    "action.split": ("Tách tin", "Split"),
    "action.split_from": ("Tách ra từ vụ khác", "Split from another case"),
    "action.merged_in": ("Gộp vụ trùng", "Merged a duplicate in"),
    "action.merged_into": ("Đã gộp vào vụ khác", "Merged into another case"),
    "action.tip_linked": ("Thêm tin trùng", "Duplicate tip joined"),
    # Action fields
    "field.result": ("Kết quả xác minh", "Verification result"),
    "field.summary": ("Tóm tắt", "Summary"),
    "field.classification": ("Phân loại", "Classification"),
    "field.outcome": ("Kết quả xử lý", "Outcome"),
    "field.decision": ("Quyết định, nội dung xử lý", "Decision"),
    "field.to_ward_code": ("Chuyển sang phường/xã (mã)", "To ward (code)"),
    "field.to_unit": ("Chuyển sang đơn vị", "To unit"),
    "field.to_agency": ("Chuyển cơ quan khác", "To another agency"),
    "field.reason": ("Lý do", "Reason"),
    "field.note": ("Ghi chú", "Note"),
    "field.question": ("Câu hỏi", "Question"),
    "field.stage": ("Giai đoạn", "Stage"),
    "field.days": ("Số ngày", "Days"),
    # Field names in problem answers (intake, triage, notify)
    "field.kind": ("Loại tin báo", "Kind"),
    "field.text": ("Nội dung", "Text"),
    "field.address": ("Địa chỉ", "Address"),
    "field.ward_code": ("Mã phường/xã", "Ward code"),
    "field.venue_name": ("Tên cơ sở", "Venue"),
    "field.occurred_at": ("Thời gian xảy ra", "When it happened"),
    "field.contact": ("Liên hệ", "Contact"),
    "field.contact.name": ("Họ tên", "Name"),
    "field.contact.phone": ("Số điện thoại", "Phone"),
    "field.contact.email": ("Email", "E-mail"),
    "field.attachments": ("Ảnh", "Photo"),
    "field.call_started_at": ("Cuộc gọi bắt đầu lúc", "Call started at"),
    "field.caller_number": ("Số người gọi", "Caller's number"),
    "field.in_reply_to": ("Câu hỏi được trả lời", "Question answered"),
    "field.username": ("Tên đăng nhập", "Username"),
    "field.password": ("Mật khẩu", "Password"),
    "field.period": ("Kỳ báo cáo", "Period"),
    "field.ward": ("Phường/xã", "Ward"),
    "field.body": ("Nội dung gửi", "Request"),
    "field.expected_version": ("Phiên bản", "Version"),
    "field.tip_id": ("Tin báo", "Tip"),
    # Dashboard
    "dash.title": ("Theo dõi thời hạn xử lý", "SLA dashboard"),
    "dash.lead": (
        "Mục tiêu: 100% tin báo được tiếp nhận, xác minh, phân loại, xử lý đúng hạn.",
        "Target: 100% of tips received, verified, classified and handled on time.",
    ),
    "dash.period_kind": ("Loại kỳ", "Period type"),
    "dash.period": ("Kỳ", "Period"),
    "dash.period_hint": (
        "Tháng: 2026-11; 6 tháng, 9 tháng, năm: 2026",
        "Monthly: 2026-11; six-month, nine-month, annual: 2026",
    ),
    "dash.ward": ("Mã phường/xã (trống: toàn thành phố)", "Ward code (empty: whole city)"),
    "dash.show": ("Xem", "Show"),
    "dash.scope.city": ("Toàn thành phố", "Whole city"),
    "dash.scope.ward": ("Phường/xã {ward}", "Ward {ward}"),
    "dash.report_due": ("Hạn nộp báo cáo: {date}", "Report due: {date}"),
    "dash.compliance": ("Tỷ lệ đúng hạn theo giai đoạn", "On-time rate per stage"),
    "dash.compliance_note": (
        "Một giai đoạn được tính vào kỳ có hạn của nó; giai đoạn còn mở đã quá hạn tính là trễ.",
        "A stage counts in the period its deadline falls in; an open stage past its deadline "
        "counts as late.",
    ),
    "dash.target": ("Mục tiêu 100%", "Target 100%"),
    "dash.due": ("Đến hạn", "Due"),
    "dash.on_time": ("Đúng hạn", "On time"),
    "dash.late": ("Trễ hạn", "Late"),
    "dash.still_open": ("Còn mở quá hạn", "Still open, late"),
    "dash.rate": ("Tỷ lệ", "Rate"),
    "dash.avg_hours": ("TB giờ", "Avg h"),
    "dash.p90_hours": ("P90 giờ", "P90 h"),
    "dash.no_due": ("chưa có hạn đến", "nothing due yet"),
    "dash.trend": ("Xu hướng 6 tháng", "Six-month trend"),
    "dash.trend_note": (
        "Tỷ lệ đúng hạn mỗi tháng; đường đứt là mục tiêu 100%.",
        "On-time rate per month; the dashed line is the 100% target.",
    ),
    "dash.live": ("Tình hình hiện tại", "Right now"),
    "dash.live_note": (
        "Các thời hạn bắt đầu trong kỳ: đang chạy, tạm dừng, đã xong.",
        "Deadlines that started in the period: running, paused, finished.",
    ),
    "dash.breaches": ("Đang quá hạn", "Breached now"),
    "dash.warnings": ("Sắp đến hạn", "Warnings"),
    "dash.none": ("Không có.", "None."),
    "dash.downloads": ("Tải báo cáo", "Download the report"),
    "dash.download.csv": ("CSV (Excel đọc được)", "CSV (opens in Excel)"),
    "dash.download.xlsx": ("Excel (XLSX)", "Excel (XLSX)"),
    "dash.download.png": ("Biểu đồ (PNG)", "Chart (PNG)"),
    "dash.bad_period": (
        "Kỳ không hợp lệ; đang hiển thị kỳ hiện tại.",
        "Invalid period; showing the current one.",
    ),
    "period.monthly": ("Tháng", "Monthly"),
    "period.six_month": ("6 tháng", "Six months"),
    "period.nine_month": ("9 tháng", "Nine months"),
    "period.annual": ("Năm", "Annual"),
    # Errors
    "error.title": ("Có lỗi", "Something went wrong"),
    "error.back": ("Quay lại trang chủ", "Back to the home page"),
    "error.csrf.title": ("Yêu cầu bị từ chối", "Request refused"),
    "error.csrf.detail": (
        "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này (thiếu mã bảo vệ). Hãy tải lại "
        "trang và gửi lại.",
        "The form expired or was not sent from this site (its protection token is missing). "
        "Reload the page and send it again.",
    ),
    "error.forbidden.title": ("Không có quyền", "Not allowed"),
    "error.forbidden.detail": (
        "Vai trò của bạn không được dùng trang này.",
        "Your role may not use this page.",
    ),
    "error.not_found.title": ("Không tìm thấy", "Not found"),
    "error.not_found.detail": (
        "Trang hoặc vụ việc này không tồn tại, hoặc không thuộc phạm vi của bạn.",
        "This page or case does not exist, or is outside your scope.",
    ),
    "error.unavailable.title": ("Hệ thống tạm thời gián đoạn", "Temporarily unavailable"),
    "error.unavailable.detail": (
        "Chưa kết nối được tới hệ thống xử lý. Vui lòng thử lại sau ít giây; nếu bạn vừa gửi tin, "
        "gửi lại sẽ không tạo tin trùng.",
        "The back-end could not be reached. Please try again in a few seconds; if you were "
        "sending a tip, sending again creates no duplicate.",
    ),
    "error.too_large.title": ("Nội dung quá lớn", "Too large"),
    "error.too_large.detail": (
        "Nội dung gửi lên quá lớn (ảnh tối đa 3 MB).",
        "What you sent is too large (photos at most 3 MB).",
    ),
    "error.bad_request.title": ("Yêu cầu không hợp lệ", "Bad request"),
    "error.bad_request.detail": (
        "Không đọc được nội dung gửi lên; hãy tải lại trang và thử lại.",
        "What was sent could not be read; reload the page and try again.",
    ),
    "error.too_many.title": ("Quá nhiều yêu cầu", "Too many requests"),
    "error.too_many.detail": (
        "Vui lòng chờ một chút rồi thử lại.",
        "Please wait a moment and try again.",
    ),
    "error.fields": ("Các trường cần sửa:", "Fields to correct:"),
}

# Codes the services use, with their labels (units, stages and kinds come from shared/).
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "kind": dict(KIND_NAMES),
    "unit": dict(UNIT_NAMES),
    "stage": {
        **STAGE_NAMES,
        "transferred": ("Chuyển", "Transferred"),
        "reopened": ("Mở lại", "Reopened"),
        "extended": ("Gia hạn", "Extended"),
        "suspended": ("Tạm đình chỉ", "Suspended"),
        "resumed": ("Phục hồi", "Resumed"),
    },
    "status": {
        "assigned": ("Đã phân công", "Assigned"),
        "claimed": ("Đang thụ lý", "Claimed"),
        "verified": ("Đã xác minh", "Verified"),
        "classified": ("Đã phân loại", "Classified"),
        "handled": ("Đã xử lý", "Handled"),
        "transferred": ("Đã chuyển cơ quan khác", "Transferred out"),
        "manual_triage": ("Chờ phân loại thủ công", "Manual triage"),
        "suspended": ("Tạm đình chỉ", "Suspended"),
        "merged": ("Đã gộp", "Merged"),
    },
    "priority": {"urgent": ("Khẩn cấp", "Urgent"), "normal": ("Thường", "Normal")},
    "channel": {
        "web": ("Trang web", "Web"),
        "api": ("Trang web / API", "Web / API"),
        "hotline": ("Tổng đài", "Hotline"),
        "sms": ("Tin nhắn SMS", "SMS"),
        "open311": ("Open311", "Open311"),
    },
    "result": {
        "founded": ("Có căn cứ", "Founded"),
        "partly_founded": ("Có căn cứ một phần", "Partly founded"),
        "unfounded": ("Không có căn cứ", "Unfounded"),
        "cannot_verify": ("Không xác minh được", "Cannot verify"),
    },
    "classification": {
        "criminal": ("Hình sự", "Criminal"),
        "administrative_violation": ("Vi phạm hành chính", "Administrative violation"),
        "social_support": ("Hỗ trợ xã hội, giảm hại", "Social support"),
        "unfounded": ("Không có căn cứ", "Unfounded"),
        "outside_competence": ("Không thuộc thẩm quyền", "Outside competence"),
    },
    "outcome": {
        "transferred_to_investigation": (
            "Chuyển Cơ quan Cảnh sát điều tra",
            "Transferred to the investigating agency",
        ),
        "prosecuted": ("Khởi tố", "Criminal case opened"),
        "admin_sanction": ("Xử phạt hành chính", "Administrative sanction"),
        "support_provided": ("Đã hỗ trợ", "Support provided"),
        "referred_to_health_station": ("Chuyển Trạm Y tế", "Referred to the health station"),
        "propaganda_organised": ("Đã tổ chức tuyên truyền", "Prevention talks organised"),
        "no_violation": ("Không có vi phạm", "No violation"),
        "answered": ("Đã trả lời", "Answered"),
    },
    # Mirrors triage's classification_rules.toml; an unknown code is shown as it is.
    "category": {
        "trafficking": ("Mua bán người", "Human trafficking"),
        "minors": ("Liên quan trẻ em, người chưa thành niên", "Minors involved"),
        "coercion_violence": ("Cưỡng ép, bạo lực", "Coercion or violence"),
        "protection_racket": ("Bảo kê", "Protection racket"),
        "organising": ("Tổ chức hoạt động mại dâm", "Organising prostitution"),
        "harbouring": ("Chứa mại dâm", "Harbouring prostitution"),
        "procuring": ("Môi giới mại dâm", "Procuring"),
        "online_solicitation": ("Mời chào mua bán dâm trên mạng", "Online solicitation"),
        "street_solicitation": ("Mời chào mua bán dâm nơi công cộng", "Street solicitation"),
        "venue_activity": (
            "Dấu hiệu mua bán dâm tại cơ sở kinh doanh",
            "Suspected activity at a business",
        ),
        "establishment_compliance": (
            "Cơ sở kinh doanh vi phạm điều kiện, cam kết",
            "Business conditions and commitments",
        ),
        "obscene_products": ("Văn hoá phẩm đồi truỵ", "Obscene cultural products"),
        "prevention_request": (
            "Đề nghị tuyên truyền, phòng ngừa",
            "Prevention and communication request",
        ),
        "support_request": (
            "Hỗ trợ người bán dâm hoà nhập cộng đồng",
            "Support for people who sell sex",
        ),
        "harm_reduction": ("Giảm hại, HIV, sức khoẻ", "Harm reduction and health"),
        "admin_complaint": (
            "Khiếu nại quyết định hành chính",
            "Complaint about an administrative decision",
        ),
        "official_misconduct": (
            "Cán bộ vi phạm (bảo kê, nhận tiền, bao che)",
            "Official misconduct",
        ),
    },
    "role": {
        "officer": ("Cán bộ", "Officer"),
        "supervisor": ("Lãnh đạo phường", "Ward supervisor"),
        "city_monitor": ("Giám sát thành phố", "City monitor"),
        "auditor": ("Kiểm toán", "Auditor"),
        "hotline_operator": ("Tổng đài viên", "Hotline operator"),
        "admin": ("Quản trị", "Administrator"),
    },
}


def choose_language(query_value: str | None, cookie_value: str | None) -> Language:
    """The page language: `?lang=` first, then the cookie, then Vietnamese."""
    for candidate in (query_value, cookie_value):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


class Translator:
    """Words of one language for one request; templates call it as `t("key")`."""

    def __init__(self, language: Language) -> None:
        self.language: Language = language
        self._index = LANGUAGES.index(language)

    @property
    def english(self) -> bool:
        return self.language == "en"

    def __call__(self, key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        if pair is None:
            log.warning("missing message", extra={"reason": key})
            return key
        text = pair[self._index]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in MESSAGES

    def label(self, group: str, code: str | None) -> str:
        """The name of a code (a kind, a unit, a status…); an unknown code is shown as it is."""
        if code is None:
            return "—"
        pair = LABELS.get(group, {}).get(code)
        return pair[self._index] if pair else code

    def field(self, name: str) -> str:
        """The name of a field an API named in a problem answer (contact.phone, attachments.0)."""
        parts = [p for p in name.split(".") if not p.isdigit()]
        for size in range(len(parts), 0, -1):
            key = "field." + ".".join(parts[:size])
            if key in MESSAGES:
                return self(key)
        return name

    def duration(self, seconds: float) -> str:
        """A span of time in words, rounded down to minutes."""
        minutes = int(abs(seconds) // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        if days:
            return self("duration.days", days=days, hours=hours)
        if hours:
            return self("duration.hours", hours=hours, minutes=minutes)
        return self("duration.minutes", minutes=minutes)

    def time(self, value: datetime | str | None) -> str:
        """A moment in Vietnam's time (dd/mm/yyyy HH:MM), whatever zone it came in."""
        if value is None or value == "":
            return "—"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.strftime("%d/%m/%Y %H:%M")
        return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
